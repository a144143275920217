"""lazynb: the helper package of the runnable deep-learning book.

One small module per idea; chapters import what they need::

    from lazynb import data, plots, neuron
    from lazynb.exercises import ch01

Importing ``lazynb`` is cheap: it imports neither TensorFlow nor anything that
touches the network. TensorFlow is only imported through
:func:`lazynb.repro.import_tensorflow`, which silences its start-up logs first.
"""

import os as _os

# Set before any TensorFlow import anywhere in the process: hides the C++
# INFO/WARNING/ERROR start-up lines (oneDNN, CPU features, CUDA probing).
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# The one version string: pyproject.toml reads it (dynamic = ["version"]).
__version__ = "0.1.0"
