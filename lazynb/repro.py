"""Reproducibility and a quiet TensorFlow start-up.

``set_seed(0)`` seeds Python's ``random``, NumPy's global generator, the
package's default generator (:func:`default_rng`, which every ``lazynb``
function given ``rng=None`` or ``seed=None`` draws from) and, when TensorFlow is
loaded, TensorFlow and Keras; it returns a fresh NumPy ``Generator`` for code
that takes one explicitly (the book's preferred style).

``import_tensorflow()`` imports TensorFlow with its C++ and absl log lines
silenced, so that nothing but the chapter's own output reaches a notebook or
the rendered site.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import sys
import tempfile
import warnings

import numpy as np

from ._validate import check_positive_int

# What lazynb functions called with rng=None / seed=None draw from. Fresh entropy until
# set_seed() replaces it, so that ``set_seed(0); minibatches(X)`` repeats exactly.
_default_rng = np.random.default_rng()


def default_rng() -> np.random.Generator:
    """The package's default NumPy ``Generator``, used wherever ``rng=None`` (or ``seed=None``).

    Seeded from fresh entropy at import; :func:`set_seed` replaces it with a
    seeded one, so ``set_seed(0); f(...)`` gives the same result every time.
    Successive calls without a reset draw on, so they differ.
    """
    return _default_rng


def set_seed(seed: int = 0) -> np.random.Generator:
    """Seed every random number generator the book uses; return ``np.random.default_rng(seed)``.

    Seeds Python's ``random``, NumPy's legacy global generator, the package's
    :func:`default_rng` (what ``rng=None`` uses in lazynb) and TensorFlow/Keras.
    TensorFlow is seeded only if it has already been imported (this function
    never imports it: importing TensorFlow costs seconds).

    The returned generator is a separate stream from :func:`default_rng`, so
    draws from it do not repeat the numbers that ``rng=None`` functions get.
    """
    global _default_rng
    seed = check_positive_int(seed, "seed", minimum=0)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    # A child of the seed's SeedSequence: reproducible, independent of default_rng(seed).
    _default_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    if "tensorflow" in sys.modules:
        _seed_tensorflow(seed)
    return np.random.default_rng(seed)


def _seed_tensorflow(seed: int) -> None:
    tf = sys.modules["tensorflow"]
    try:
        import keras

        keras.utils.set_random_seed(seed)  # seeds Python, NumPy and the TF backend
    except Exception:  # pragma: no cover - Keras missing or a backend that refuses
        tf.random.set_seed(seed)


def silence_tensorflow_env() -> None:
    """Set the environment variables that keep TensorFlow's C++ start-up quiet.

    Must run before TensorFlow's first import to have an effect; importing
    :mod:`lazynb` already does it.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # no C++ INFO/WARNING/ERROR lines
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # keep oneDNN, but its banner is INFO
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    os.environ.setdefault("AUTOGRAPH_VERBOSITY", "0")


@contextlib.contextmanager
def _quiet_native_stderr():
    """Send what native code writes to file descriptor 2 into a temporary file.

    TensorFlow 2.21's C++ libraries log through absl before absl is initialised,
    which ignores ``TF_CPP_MIN_LOG_LEVEL``; only redirecting the descriptor keeps
    those lines out of a notebook. If the block raises, the captured text is
    written back to stderr so that no diagnostic is lost.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real descriptor 2: nothing to hide
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def import_tensorflow(seed: int | None = None):
    """Import and return TensorFlow with its logs silenced; optionally seed it.

    The import runs with native stderr redirected (see ``_quiet_native_stderr``),
    the absl and Python loggers are set to ERROR and TensorFlow's deprecation
    warnings are filtered, so a notebook shows only what it prints.
    """
    silence_tensorflow_env()
    with warnings.catch_warnings(), _quiet_native_stderr():
        warnings.simplefilter("ignore")
        import keras  # noqa: F401  (Keras 3 loads its backend here: keep that quiet too)
        import tensorflow as tf
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:  # pragma: no cover - absl ships with TensorFlow
        pass
    tf.get_logger().setLevel(logging.ERROR)
    tf.autograph.set_verbosity(0)
    if seed is not None:
        set_seed(seed)
    return tf
