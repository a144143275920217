"""TensorFlow for the tests, imported the quiet way.

``pytest.importorskip("tensorflow")`` would import TensorFlow directly and let its C++
start-up lines (absl, oneDNN, cuInit) into the test log; these helpers skip when it is
not installed and otherwise import it through :func:`lazynb.repro.import_tensorflow`.
"""

import importlib.util

import pytest


def skip_without_tensorflow(allow_module_level: bool = True) -> None:
    """Skip the calling test module (or test) when TensorFlow is not installed."""
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow is not installed", allow_module_level=allow_module_level)


def quiet_tensorflow():
    """The ``tensorflow`` module, imported quietly; skips when it is not installed."""
    skip_without_tensorflow(allow_module_level=False)
    from lazynb.repro import import_tensorflow

    return import_tensorflow()
