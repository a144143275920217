"""Is this environment ready for the book? Versions, GPU and MNIST in one table.

    from lazynb import envcheck
    envcheck.report()            # prints the table
    env = envcheck.collect()     # the same rows as data: env.ok, env.problems, str(env)

Each package is compared with the range the book is tested with: the same ranges, and
the same split into lazynb's own dependencies and its extras (``lazynb[tf]``, ...), as
``pyproject.toml``; a unit test keeps them in step.
TensorFlow is imported through :func:`lazynb.repro.import_tensorflow`, so that its
start-up log lines stay out of the notebook; if it is missing, the table says so
instead of failing. Nothing here downloads anything unless asked to.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import platform
import re
import sys
from dataclasses import dataclass

__all__ = [
    "Requirement",
    "Item",
    "Environment",
    "REQUIREMENTS",
    "collect",
    "report",
    "parse_version",
    "version_status",
]


@dataclass(frozen=True)
class Requirement:
    """A component the book uses and the versions it is tested with.

    minimum: the oldest supported version (None: any); below: the first version
    that is *not* tested (None: no upper bound); required: whether the chapters need
    it (False: optional, its absence is not a problem); extra: the pyproject.toml
    extra that installs it, as in ``pip install "lazynb[tf]"`` (None: a dependency of
    lazynb itself, or Python).
    """

    name: str
    module: str | None  # the import name; None for Python itself
    minimum: str | None
    below: str | None
    required: bool
    purpose: str
    extra: str | None = None

    @property
    def needs(self) -> str:
        parts = ([f">= {self.minimum}"] if self.minimum else []) + (
            [f"< {self.below}"] if self.below else []
        )
        text = ", ".join(parts) or "any"
        return text if self.required else f"{text} (optional)"


# The book's tested ranges, as in pyproject.toml: lazynb's dependencies (extra None) and
# its extras. TensorFlow is an extra of the package (lazynb imports without it) but the
# chapters 4 and 5 need it: required here. tests/test_envcheck.py checks both.
REQUIREMENTS = (
    Requirement("Python", None, "3.11", None, True, "the language"),
    Requirement("NumPy", "numpy", "1.26", "3", True, "arrays: every chapter"),
    Requirement("Matplotlib", "matplotlib", "3.7", "4", True, "every figure"),
    Requirement("TensorFlow", "tensorflow", "2.16", "3", True, "chapters 4 and 5", "tf"),
    Requirement(
        "Keras", "keras", "3.0", "4", True, "chapters 4 and 5 (comes with TensorFlow)", "tf"
    ),
    Requirement(
        "PyTensor",
        "pytensor",
        "2.20",
        "4",
        False,
        "the Theano listings of chapter 4 (Theano's maintained successor)",
        "pytensor",
    ),
    Requirement(
        "ipywidgets", "ipywidgets", "8", "9", False, "the sliders (Jupyter and Colab)", "widgets"
    ),
)

OK, TOO_OLD, TOO_NEW, MISSING = "OK", "too old", "newer than tested", "not installed"


@dataclass(frozen=True)
class Item:
    """One row of the report: what was found and whether it is fine.

    status: "OK", "too old", "newer than tested", "not installed" for packages; for the
    GPU and MNIST rows a short word ("OK", "CPU only", "sample", "unknown").
    problem: True when the book will not work as written (a required package missing or
    too old); a newer-than-tested version or a missing optional extra is not a problem.
    """

    name: str
    found: str
    needs: str
    status: str
    note: str = ""
    problem: bool = False


class Environment(tuple):
    """The rows of the report (a tuple of :class:`Item`); ``str()`` is the printed table."""

    @property
    def ok(self) -> bool:
        """True when nothing the book needs is missing or too old."""
        return not self.problems

    @property
    def problems(self) -> list[Item]:
        return [item for item in self if item.problem]

    def __getitem__(self, key):
        if isinstance(key, str):  # env["NumPy"]
            for item in self:
                if item.name == key:
                    return item
            raise KeyError(f"no row named {key!r}; rows: {[i.name for i in self]}")
        return super().__getitem__(key)

    def __str__(self) -> str:
        header = ("component", "found", "book needs", "status")
        rows = [header] + [(i.name, i.found, i.needs, i.status) for i in self]
        widths = [max(len(r[k]) for r in rows) for k in range(len(header))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        notes = [f"- {i.name}: {i.note}" for i in self if i.note]
        verdict = (
            "Everything the book needs is installed."
            if self.ok
            else "To fix: "
            + "; ".join(f"{i.name} is {i.status}" for i in self.problems)
            + ". Install the tested versions with `pip install -r requirements.txt` "
            "(locally) or `%pip install` the package in a Colab cell."
        )
        return "\n".join(lines + [""] + notes + ["", verdict])

    def __repr__(self) -> str:
        return str(self)


def parse_version(text: str) -> tuple[int, ...]:
    """The leading numbers of a version string: "2.21.0rc1" -> (2, 21, 0), "3" -> (3,)."""
    match = re.match(r"\s*v?(\d+(?:\.\d+)*)", str(text))
    if not match:
        raise ValueError(f"not a version number: {text!r}")
    return tuple(int(part) for part in match.group(1).split("."))


def _compare(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """-1, 0 or 1 as version a is older than, equal to or newer than b (zero-padded)."""
    n = max(len(a), len(b))
    a, b = a + (0,) * (n - len(a)), b + (0,) * (n - len(b))
    return (a > b) - (a < b)


def version_status(version: str | None, req: Requirement) -> str:
    """ "OK", "too old", "newer than tested" or "not installed" for ``version`` under ``req``."""
    if version is None:
        return MISSING
    v = parse_version(version)
    if req.minimum and _compare(v, parse_version(req.minimum)) < 0:
        return TOO_OLD
    if req.below and _compare(v, parse_version(req.below)) >= 0:
        return TOO_NEW
    return OK


def _package_item(req: Requirement, version: str | None, note: str = "") -> Item:
    status = version_status(version, req)
    problem = req.required and status in (TOO_OLD, MISSING)
    if status == MISSING and not note:
        note = f"needed for {req.purpose}" if req.required else f"optional, for {req.purpose}"
        if req.extra:
            note += f' (pip install "lazynb[{req.extra}]")'
    elif status == TOO_NEW and not note:
        note = "newer than the versions the book is tested with; it will probably work"
    return Item(req.name, version or "-", req.needs, status, note, problem)


def _installed_version(module: str) -> str | None:
    """The version of an installed package, without importing it (imports can be slow)."""
    if module in sys.modules and hasattr(sys.modules[module], "__version__"):
        return str(sys.modules[module].__version__)
    try:
        return importlib.metadata.version(module)
    except importlib.metadata.PackageNotFoundError:
        return None


def _import_tensorflow():
    """TensorFlow through the quiet importer; a separate function so tests can replace it."""
    from .repro import import_tensorflow

    return import_tensorflow()


def _gpu_item(tf) -> Item:
    needs = "optional"
    if tf is None:
        return Item("GPU", "-", needs, "unknown", "TensorFlow is needed to look for a GPU")
    from .repro import _quiet_native_stderr  # CUDA probing may log from C++

    try:
        with _quiet_native_stderr():
            gpus = tf.config.list_physical_devices("GPU")
            names = []
            for gpu in gpus:
                try:
                    details = tf.config.experimental.get_device_details(gpu)
                except Exception:  # pragma: no cover - details are best-effort
                    details = {}
                names.append(details.get("device_name") or gpu.name)
    except Exception as exc:  # pragma: no cover - a broken CUDA set-up
        return Item("GPU", "-", needs, "unknown", f"TensorFlow could not list GPUs: {exc}")
    if names:
        return Item("GPU", ", ".join(names), needs, OK, "TensorFlow will use it by itself")
    built = ""
    try:
        if not tf.test.is_built_with_cuda():
            built = " (this TensorFlow is built without GPU support)"
    except Exception:  # pragma: no cover
        pass
    return Item(
        "GPU",
        "none visible",
        needs,
        "CPU only",
        "every chapter runs on a CPU; on Colab, Runtime > Change runtime type > "
        f"GPU gives you one{built}",
    )


def _mnist_item(download: bool) -> Item:
    from .data import load_mnist

    needs = "optional"
    try:
        infos = [
            load_mnist(split, download=download, warn=False, return_info=True)[2]
            for split in ("train", "test")
        ]
    except Exception as exc:  # e.g. a corrupt file in the data folder
        return Item("MNIST", "error", needs, "unknown", f"load_mnist failed: {exc}")
    counts = " + ".join(f"{info.n:,}" for info in infos)
    if all(info.source == "official" for info in infos):
        return Item(
            "MNIST",
            f"official set ({counts} images)",
            needs,
            OK,
            f"read from {infos[0].path_or_note}",
        )
    how = "not found locally" if not download else "not available (offline?)"
    return Item(
        "MNIST",
        f"offline sample ({counts} images)",
        needs,
        "sample",
        f"full set {how}: chapters that need MNIST download it when online, "
        f"else use the real 5,000-image sample shipped with lazynb",
    )


def collect(
    *, tensorflow: bool = True, mnist: bool = True, mnist_download: bool = False
) -> Environment:
    """Check Python, the packages, the GPU and MNIST; return the rows as an :class:`Environment`.

    tensorflow: import TensorFlow (quietly, a few seconds) to read its version and look
    for a GPU. mnist: look for the official MNIST files; with ``mnist_download=True``
    missing ones are downloaded (about 11 MB), otherwise nothing touches the network.
    """
    by_name = {req.name: req for req in REQUIREMENTS}
    items = [_package_item(by_name["Python"], platform.python_version())]
    for name in ("NumPy", "Matplotlib"):
        module = importlib.import_module(by_name[name].module)  # the book imports them anyway
        items.append(_package_item(by_name[name], str(module.__version__)))

    tf = None
    if tensorflow:
        try:
            tf = _import_tensorflow()
        except ImportError as exc:
            installed = _installed_version("tensorflow")
            if installed is None:
                items.append(_package_item(by_name["TensorFlow"], None))
            else:  # installed, but something it needs is missing or broken
                items.append(
                    Item(
                        "TensorFlow",
                        installed,
                        by_name["TensorFlow"].needs,
                        "import failed",
                        f"`import tensorflow` failed: {exc}",
                        True,
                    )
                )
        else:
            items.append(_package_item(by_name["TensorFlow"], str(tf.__version__)))
    else:
        items.append(_package_item(by_name["TensorFlow"], _installed_version("tensorflow")))
    items.append(_package_item(by_name["Keras"], _installed_version("keras")))
    for name in ("PyTensor", "ipywidgets"):
        items.append(_package_item(by_name[name], _installed_version(by_name[name].module)))

    if tensorflow:
        items.append(_gpu_item(tf))
    if mnist:
        items.append(_mnist_item(mnist_download))
    return Environment(items)


def report(
    *, tensorflow: bool = True, mnist: bool = True, mnist_download: bool = False, file=None
) -> None:
    """Print the table of :func:`collect` (to ``file``, default stdout)."""
    print(
        collect(tensorflow=tensorflow, mnist=mnist, mnist_download=mnist_download),
        file=file or sys.stdout,
    )
