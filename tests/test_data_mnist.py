"""Tests of lazynb.data.mnist: the shipped sample, the official files, corruption, downloads.

All offline: downloads are served by a local http.server on 127.0.0.1, and the
official test-set files come from ../shared/data/mnist when that folder exists.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import shutil
import struct
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest

from lazynb.data import (
    MNISTFileError,
    MNISTInfo,
    MNISTSampleWarning,
    load_mnist,
    read_idx,
)
from lazynb.data import mnist as mnist_mod

OFFICIAL = Path(__file__).resolve().parents[1].parent / "shared/data/mnist"
TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
OFFICIAL_TEST = {  # bytes, md5 (published), sha256
    "t10k-images-idx3-ubyte.gz": (
        1648877,
        "9fb629c4189551a2d022fa330f9573f3",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    ),
    "t10k-labels-idx1-ubyte.gz": (
        4542,
        "ec29112dd5afa0611ce80d1b7f02629c",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    ),
}
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
UNREACHABLE = "http://127.0.0.1:9/"  # the discard port: nothing listens, refused at once


def _have_official() -> bool:
    return all((OFFICIAL / name).is_file() for name in TEST_FILES)


needs_official = pytest.mark.skipif(
    not _have_official(),
    reason=f"the official MNIST test files are not in {OFFICIAL} (shared data folder absent)",
)


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    """No test may reach the real network or the user's cache."""
    mnist_mod._reset_network_state()
    monkeypatch.setenv("LAZYNB_DATA", str(tmp_path / "default-data"))
    monkeypatch.setenv("LAZYNB_MNIST_MIRRORS", UNREACHABLE)
    # CI runs the tests with LAZYNB_DOWNLOAD=0; these tests say themselves when to download.
    monkeypatch.delenv("LAZYNB_DOWNLOAD", raising=False)
    yield
    mnist_mod._reset_network_state()


@pytest.fixture
def official_copy(tmp_path):
    """A tmp data dir holding copies of the official test files."""
    if not _have_official():
        pytest.skip(f"the official MNIST test files are not in {OFFICIAL}")
    d = tmp_path / "copy"
    d.mkdir()
    for name in TEST_FILES:
        shutil.copy(OFFICIAL / name, d / name)
    return d


@pytest.fixture
def serve():
    """serve(folder) -> base URL of a local HTTP server for that folder (ephemeral port)."""
    servers = []

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    def start(folder: Path) -> str:
        handler = functools.partial(Quiet, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _sha(path: Path) -> tuple[int, str, str]:
    data = path.read_bytes()
    return len(data), hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest()


def _sample(split="train", **kw):
    return load_mnist(split, download=False, warn=False, **kw)


def _idx_bytes(magic: int, dims: tuple[int, ...], payload: bytes) -> bytes:
    return struct.pack(">I", magic) + struct.pack(f">{len(dims)}I", *dims) + payload


# --------------------------------------------------------------------------- the sample


@pytest.mark.parametrize("split, n", [("train", 4000), ("test", 1000)])
def test_sample_shape_dtype_range_and_balance(split, n):
    X, y = _sample(split)
    assert X.shape == (n, 784) and X.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.all(np.bincount(y, minlength=10) == n // 10)  # stratified


def test_sample_holds_500_per_class_and_splits_are_disjoint():
    Xtr, ytr = _sample("train")
    Xte, yte = _sample("test")
    assert np.all(np.bincount(np.concatenate([ytr, yte])) == 500)
    train_rows = {row.tobytes() for row in Xtr}
    test_rows = {row.tobytes() for row in Xte}
    assert len(train_rows) == 4000 and len(test_rows) == 1000
    assert not train_rows & test_rows


def test_sample_is_deterministic_and_mixed():
    X1, y1 = _sample("train")
    X2, y2 = _sample("train")
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    # Not sorted by digit: the first 100 images already cover all ten digits.
    assert len(np.unique(y1[:100])) == 10
    X1[0, 0] = 0.5  # the caller owns a copy: the cached sample is not changed
    assert _sample("train")[0][0, 0] == X2[0, 0]


def test_sample_dtype_argument():
    X, _ = _sample("test", dtype=np.float64)
    assert X.dtype == np.float64 and X.max() == 1.0


# --------------------------------------------------------------------------- fallback


def test_empty_dir_without_download_falls_back_with_warning(tmp_path):
    with pytest.warns(MNISTSampleWarning, match="not found") as record:
        X, y, info = load_mnist("train", data_dir=tmp_path, download=False, return_info=True)
    message = str(record[0].message)
    assert str(tmp_path) in message and "LAZYNB_DATA" in message
    assert "train-images-idx3-ubyte.gz" in message
    assert isinstance(info, MNISTInfo)
    assert info.source == "sample" and info.split == "train" and info.n == len(y) == 4000
    assert "training set" in info.path_or_note
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_warn_false_is_silent(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X, y = load_mnist("test", data_dir=tmp_path, download=False, warn=False)
    assert X.shape == (1000, 784)


def test_sample_warning_is_a_user_warning():
    assert issubclass(MNISTSampleWarning, UserWarning)
    assert issubclass(MNISTFileError, ValueError)


def test_info_is_frozen():
    *_, info = _sample("test", return_info=True)
    with pytest.raises(AttributeError):
        info.source = "official"


def test_env_var_chooses_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("LAZYNB_DATA", str(tmp_path / "from-env"))
    with pytest.warns(MNISTSampleWarning, match="LAZYNB_DATA"):
        *_, info = load_mnist("test", download=False, return_info=True)
    assert str(tmp_path / "from-env") in info.path_or_note


@needs_official
def test_env_var_finds_the_official_files(monkeypatch):
    monkeypatch.setenv("LAZYNB_DATA", str(OFFICIAL))
    *_, info = load_mnist("test", download=False, return_info=True)
    assert info.source == "official" and info.n == 10000


# --------------------------------------------------------------------------- official files


@needs_official
def test_official_test_files_match_the_published_checksums():
    for name, expected in OFFICIAL_TEST.items():
        assert _sha(OFFICIAL / name) == expected
        assert mnist_mod._CHECKSUMS[name] == expected


@needs_official
def test_official_test_set_loads():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X, y, info = load_mnist("test", data_dir=OFFICIAL, download=False, return_info=True)
    assert X.shape == (10000, 784) and X.dtype == np.float32
    assert y.shape == (10000,) and y.dtype == np.int64
    assert 0.0 <= X.min() and X.max() <= 1.0
    assert np.bincount(y).tolist() == TEST_COUNTS
    assert info == MNISTInfo("official", "test", 10000, str(OFFICIAL))
    assert y[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # the well-known first labels


@needs_official
def test_read_idx_gives_the_header_shape():
    images = read_idx(OFFICIAL / TEST_FILES[0])
    labels = read_idx(str(OFFICIAL / TEST_FILES[1]))
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.dtype == np.uint8


@needs_official
def test_uncompressed_files_are_accepted(tmp_path):
    for name in TEST_FILES:
        (tmp_path / name[:-3]).write_bytes(gzip.decompress((OFFICIAL / name).read_bytes()))
    X, y, info = load_mnist("test", data_dir=tmp_path, download=False, return_info=True)
    X0, y0 = load_mnist("test", data_dir=OFFICIAL, download=False)
    assert info.source == "official"
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


@needs_official
def test_sample_images_are_not_in_the_official_test_set():
    X_test = read_idx(OFFICIAL / TEST_FILES[0]).reshape(10000, 784)
    test_rows = {row.tobytes() for row in X_test}
    X_sample, _ = mnist_mod._sample_arrays()
    assert X_sample.shape == (5000, 784) and X_sample.dtype == np.uint8
    assert not any(row.tobytes() in test_rows for row in X_sample)


# --------------------------------------------------------------------------- corruption


def test_truncated_file_raises_naming_it(official_copy):
    path = official_copy / TEST_FILES[0]
    path.write_bytes(path.read_bytes()[:100_000])
    with pytest.raises(MNISTFileError, match="checksum mismatch") as err:
        load_mnist("test", data_dir=official_copy, download=False)
    message = str(err.value)
    assert str(path) in message
    assert "1,648,877 bytes" in message and "9fb629c4189551a2d022fa330f9573f3" in message
    assert "100,000 bytes" in message


def test_flipped_byte_raises(official_copy):
    path = official_copy / TEST_FILES[1]
    data = bytearray(path.read_bytes())
    data[2000] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(MNISTFileError, match="md5") as err:
        load_mnist("test", data_dir=official_copy, download=False)
    assert str(path) in str(err.value)


def test_corrupt_file_without_network_raises_rather_than_falls_back(official_copy):
    path = official_copy / TEST_FILES[0]
    path.write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(MNISTFileError, match="no good copy could be downloaded"):
        load_mnist("test", data_dir=official_copy, mirrors=[UNREACHABLE])


def test_bad_idx_magic_is_reported(tmp_path):
    # An uncompressed file (no checksum published) is still validated when parsed.
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(_idx_bytes(2049, (1, 28, 28), bytes(784)))
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(_idx_bytes(2049, (1,), bytes(1)))
    with pytest.raises(
        MNISTFileError,
        match="magic number 2049 is not an MNIST image file"
        r".*expected 2051",
    ) as err:
        load_mnist("test", data_dir=tmp_path, download=False)
    assert "t10k-images-idx3-ubyte" in str(err.value)


def test_wrong_image_size_is_reported(tmp_path):
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(
        _idx_bytes(2051, (2, 27, 29), bytes(2 * 27 * 29))
    )
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(_idx_bytes(2049, (2,), bytes(2)))
    with pytest.raises(MNISTFileError, match="28 x 28"):
        load_mnist("test", data_dir=tmp_path, download=False)


def test_label_out_of_range_is_reported(tmp_path):
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(_idx_bytes(2051, (2, 28, 28), bytes(2 * 784)))
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(_idx_bytes(2049, (2,), bytes([3, 10])))
    with pytest.raises(MNISTFileError, match="labels must be digits 0-9, found 10") as err:
        load_mnist("test", data_dir=tmp_path, download=False)
    assert "t10k-labels-idx1-ubyte" in str(err.value)


def test_count_mismatch_is_reported(tmp_path):
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(_idx_bytes(2051, (3, 28, 28), bytes(3 * 784)))
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(_idx_bytes(2049, (2,), bytes(2)))
    with pytest.raises(MNISTFileError, match="3 images but .* 2 labels"):
        load_mnist("test", data_dir=tmp_path, download=False)


def test_well_formed_but_wrong_count_is_reported(tmp_path):
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(_idx_bytes(2051, (2, 28, 28), bytes(2 * 784)))
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(_idx_bytes(2049, (2,), bytes(2)))
    with pytest.raises(MNISTFileError, match="expected 10,000 images"):
        load_mnist("test", data_dir=tmp_path, download=False)


@pytest.mark.parametrize(
    "content, match",
    [
        (b"", "not an IDX file"),
        (b"PK\x03\x04not idx", "not an IDX file"),
        (b"\x00\x00\x07\x01" + bytes(8), "unknown IDX type code 0x07"),
        (b"\x00\x00\x08\x03\x00\x00", "cut short"),
        (_idx_bytes(2051, (2, 28, 28), bytes(784)), r"shape \(2, 28, 28\).*holds 784 bytes"),
        (_idx_bytes(2049, (5,), bytes(6)), "holds 6 bytes"),
        (b"\x1f\x8b\x08\x00 truncated gzip", "cannot read or decompress"),
    ],
)
def test_read_idx_rejects_bad_files(tmp_path, content, match):
    path = tmp_path / "bad-idx"
    path.write_bytes(content)
    with pytest.raises(MNISTFileError, match=match) as err:
        read_idx(path)
    assert str(path) in str(err.value)


def test_read_idx_other_types_and_gzip(tmp_path):
    values = (np.arange(6).reshape(2, 3) - 3).astype(">i4")  # IDX is big-endian
    raw = b"\x00\x00\x0c\x02" + struct.pack(">2I", 2, 3) + values.tobytes()
    (tmp_path / "a.idx.gz").write_bytes(gzip.compress(raw))
    got = read_idx(tmp_path / "a.idx.gz")
    assert got.dtype == np.int32 and got.dtype.isnative
    np.testing.assert_array_equal(got, values)


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(MNISTFileError, match="cannot read"):
        read_idx(tmp_path / "nope")


# --------------------------------------------------------------------------- downloads


def _no_temp_files(folder: Path) -> bool:
    return not any(p.name.endswith(".part") for p in folder.iterdir()) if folder.exists() else True


def test_download_from_a_good_mirror(tmp_path, serve):
    if not _have_official():
        pytest.skip(f"the official MNIST test files are not in {OFFICIAL}")
    cache = tmp_path / "cache"
    url = serve(OFFICIAL)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X, y, info = load_mnist("test", data_dir=cache, mirrors=[url], return_info=True)
    assert info.source == "official" and X.shape == (10000, 784)
    assert sorted(p.name for p in cache.iterdir()) == sorted(TEST_FILES)
    for name in TEST_FILES:
        assert _sha(cache / name) == OFFICIAL_TEST[name]


def test_corrupt_mirror_leaves_nothing_and_the_next_mirror_is_used(tmp_path, serve):
    if not _have_official():
        pytest.skip(f"the official MNIST test files are not in {OFFICIAL}")
    bad = tmp_path / "bad-mirror"
    bad.mkdir()
    for name in TEST_FILES:
        data = bytearray((OFFICIAL / name).read_bytes())
        data[len(data) // 2] ^= 0x01  # same size, one bit wrong
        (bad / name).write_bytes(bytes(data))
    bad_url, good_url = serve(bad), serve(OFFICIAL)

    # Only the corrupt mirror: nothing lands in the cache, not even a temp file.
    cache = tmp_path / "cache"
    with pytest.warns(MNISTSampleWarning, match="checksum mismatch"):
        _, _, info = load_mnist("test", data_dir=cache, mirrors=[bad_url], return_info=True)
    assert info.source == "sample"
    assert list(cache.iterdir()) == []

    # Corrupt first, good second: the good copy is used.
    _, y, info = load_mnist("test", data_dir=cache, mirrors=[bad_url, good_url], return_info=True)
    assert info.source == "official" and np.bincount(y).tolist() == TEST_COUNTS
    assert sorted(p.name for p in cache.iterdir()) == sorted(TEST_FILES)


def test_oversized_response_is_rejected(tmp_path, serve):
    big = tmp_path / "big-mirror"
    big.mkdir()
    (big / "t10k-labels-idx1-ubyte.gz").write_bytes(bytes(100_000))
    (big / "t10k-images-idx3-ubyte.gz").write_bytes(bytes(2_000_000))
    cache = tmp_path / "cache"
    with pytest.warns(MNISTSampleWarning, match="more than 1,648,877 bytes"):
        load_mnist("test", data_dir=cache, mirrors=[serve(big)])
    assert list(cache.iterdir()) == []


def test_missing_file_on_mirror_is_reported(tmp_path, serve):
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    with pytest.warns(MNISTSampleWarning, match="HTTP 404"):
        load_mnist("train", data_dir=tmp_path / "cache", mirrors=[serve(empty)])


def test_corrupt_cached_file_is_replaced_from_a_mirror(official_copy, serve):
    path = official_copy / TEST_FILES[0]
    path.write_bytes(path.read_bytes()[:-1])
    _, _, info = load_mnist(
        "test", data_dir=official_copy, mirrors=[serve(OFFICIAL)], return_info=True
    )
    assert info.source == "official"
    assert _sha(path) == OFFICIAL_TEST[TEST_FILES[0]]
    assert _no_temp_files(official_copy)


def test_unreachable_mirrors_fall_back_and_are_remembered(tmp_path, monkeypatch):
    calls = []
    real = mnist_mod._urlopen

    def counting(url, timeout):
        calls.append(url)
        assert timeout <= 10
        return real(url, timeout)

    monkeypatch.setattr(mnist_mod, "_urlopen", counting)
    cache = tmp_path / "cache"
    mirrors = [UNREACHABLE, "http://127.0.0.1:9/other/"]
    with pytest.warns(MNISTSampleWarning, match="Full MNIST train set not found"):
        _, _, info = load_mnist("train", data_dir=cache, mirrors=mirrors, return_info=True)
    assert info.source == "sample"
    assert len(calls) == 2  # each mirror tried once for the images; labels not attempted
    assert _no_temp_files(cache)

    # A second call knows the network is down and does not wait again.
    with pytest.warns(MNISTSampleWarning, match="unreachable earlier"):
        load_mnist("train", data_dir=cache, mirrors=mirrors)
    assert len(calls) == 2


def test_mirrors_from_the_environment(tmp_path, monkeypatch, serve):
    if not _have_official():
        pytest.skip(f"the official MNIST test files are not in {OFFICIAL}")
    monkeypatch.setenv("LAZYNB_MNIST_MIRRORS", f"{UNREACHABLE}, {serve(OFFICIAL)}")
    _, _, info = load_mnist("test", data_dir=tmp_path / "cache", return_info=True)
    assert info.source == "official"


def test_default_mirrors_are_the_documented_ones():
    assert mnist_mod.DEFAULT_MIRRORS == (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    )


# --------------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize("split", ["validation", "Train", "", None, 0])
def test_bad_split(split):
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        load_mnist(split, download=False, warn=False)


@pytest.mark.parametrize("dtype", [int, np.uint8, "int32", bool, "no-such-type"])
def test_bad_dtype(dtype):
    with pytest.raises(TypeError, match="floating-point dtype"):
        load_mnist("test", download=False, warn=False, dtype=dtype)


@pytest.mark.parametrize(
    "mirrors, exc, match",
    [
        (["ftp://example.org/"], ValueError, "http://, https:// or file://"),
        ([42], TypeError, "URL strings"),
        (42, TypeError, "list of URLs"),
    ],
)
def test_bad_mirrors(mirrors, exc, match):
    with pytest.raises(exc, match=match):
        load_mnist("test", mirrors=mirrors, warn=False)


def test_bad_data_dir():
    with pytest.raises(TypeError, match="data_dir must be a path"):
        load_mnist("test", data_dir=3, download=False)


@pytest.mark.parametrize("flag", ["no", "False", 0, 1, [False]])
def test_download_flag_must_be_a_bool(flag, tmp_path):
    # download="no" is truthy: it used to download against the caller's wish.
    with pytest.raises(TypeError, match="download must be True, False or None"):
        load_mnist("test", data_dir=tmp_path, download=flag, warn=False)


def test_lazynb_download_0_turns_downloads_off(tmp_path, monkeypatch, serve):
    if not _have_official():
        pytest.skip(f"the official MNIST test files are not in {OFFICIAL}")
    url = serve(OFFICIAL)
    monkeypatch.setenv("LAZYNB_DOWNLOAD", "0")
    *_, info = load_mnist("test", data_dir=tmp_path, mirrors=[url], warn=False, return_info=True)
    assert info.source == "sample" and not any(tmp_path.iterdir())
    monkeypatch.setenv("LAZYNB_DOWNLOAD", "1")
    *_, info = load_mnist("test", data_dir=tmp_path, mirrors=[url], warn=False, return_info=True)
    assert info.source == "official"
    monkeypatch.setenv("LAZYNB_DOWNLOAD", "maybe")
    with pytest.raises(ValueError, match="LAZYNB_DOWNLOAD must be 0 or 1"):
        load_mnist("test", data_dir=tmp_path, warn=False)
