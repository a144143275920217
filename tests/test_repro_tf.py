"""TensorFlow starts quietly through lazynb, and set_seed seeds it."""

import os
import subprocess
import sys

from tf_helpers import skip_without_tensorflow  # noqa: E402

skip_without_tensorflow()

SCRIPT = """
from lazynb.repro import import_tensorflow, set_seed
tf = import_tensorflow()
set_seed(7); a = tf.random.normal((3,)).numpy()
set_seed(7); b = tf.random.normal((3,)).numpy()
assert (a == b).all(), (a, b)
@tf.function(jit_compile=True)
def f(x):
    return tf.reduce_sum(x * x)
print(float(f(tf.constant([1.0, 2.0]))))
"""


def test_tensorflow_starts_without_any_log_line_and_is_seeded():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "ABSL"))}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "5.0"
    assert out.stderr == "", f"TensorFlow wrote to stderr:\n{out.stderr}"
