"""CI runs both data regimes: the tests on the offline sample, the site on the full MNIST set."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CI = (ROOT / ".ci" / "run").read_text()


def _command_lines(script: str) -> list[str]:
    return [
        line.strip()
        for line in script.splitlines()
        if line.strip() and not line.strip().startswith(("#", "echo "))
    ]


def test_ci_runs_the_tests_offline_on_the_sample():
    lines = [line for line in _command_lines(CI) if re.search(r"\bmake test\b", line)]
    assert len(lines) == 1, lines
    assert "LAZYNB_DOWNLOAD=0" in lines[0] and 'LAZYNB_DATA="$offline_data"' in lines[0], lines[0]
    assert re.search(r'offline_data="\$\(mktemp -d\)"', CI)


def test_ci_builds_the_site_on_the_full_set_and_fails_without_it():
    lines = [line for line in _command_lines(CI) if re.search(r"\bmake book\b", line)]
    assert lines == ['LAZYNB_DATA="$FULL_MNIST" make book'], lines
    assert "shared/data/mnist" in CI
    # Without the full set CI stops with a message instead of quietly building on the sample.
    assert re.search(r'if \[ ! -f "\$FULL_MNIST/train-images-idx3-ubyte" \]', CI)
    assert "exit 1" in CI.split("make test")[0]


def test_ci_stops_when_the_full_set_is_missing(tmp_path):
    # Run only the preamble of .ci/run (up to the first make) against an empty folder.
    preamble = CI.split("# The README's test command")[0]
    script = tmp_path / "run"
    script.write_text(preamble.replace('cd "$(dirname "$0")/.."', f'cd "{ROOT}"'))
    res = subprocess.run(
        ["bash", str(script)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "LAZYNB_FULL_MNIST": str(tmp_path)},
    )
    assert res.returncode == 1
    assert "CI needs the full MNIST set" in res.stderr


def test_make_book_reexecutes_when_the_data_regime_changes():
    book = (ROOT / "Makefile").read_text().split("\nbook:", 1)[1].split("\n\n", 1)[0]
    assert "LAZYNB_DATA" in book and "rm -rf _build/.jupyter_cache" in book
    assert book.index(".data_regime") < book.index("jupyter-book build")
