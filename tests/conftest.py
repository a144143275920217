"""Shared test set-up: the ``gpu`` marker.

A test marked ``@pytest.mark.gpu`` runs only where TensorFlow sees a GPU and is
skipped, with the reason, elsewhere. TensorFlow is imported only when such a
test is about to run, so collecting or running the rest of the suite never pays
for (or depends on) a TensorFlow import.
"""

import pytest


@pytest.fixture(autouse=True)
def _skip_gpu_tests_without_a_gpu(request):
    if request.node.get_closest_marker("gpu") is None:
        return
    try:
        from lazynb.repro import import_tensorflow

        tf = import_tensorflow()
    except ImportError:
        pytest.skip("needs a GPU: TensorFlow is not installed")
    if not tf.config.list_physical_devices("GPU"):
        pytest.skip("needs a GPU: tf.config.list_physical_devices('GPU') is empty on this machine")
