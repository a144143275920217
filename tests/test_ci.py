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


def test_ci_runs_the_notebooks_outside_the_repository_after_the_tests():
    lines = _command_lines(CI)
    assert "make outside-repo" in lines, lines
    test = next(i for i, line in enumerate(lines) if re.search(r"\bmake test\b", line))
    assert lines.index("make outside-repo") > test
    target = (ROOT / "Makefile").read_text().split("\noutside-repo:", 1)[1].split("\n\n", 1)[0]
    assert "tools/run_outside_repo.py" in target
    # The outside run installs no requirements.txt: only the wheel, the set-up cell's
    # line and what Colab ships.
    assert "requirements.txt" not in target


def test_ci_runs_the_mutation_testing_of_the_checkers_after_the_tests():
    lines = _command_lines(CI)
    run = next(i for i, line in enumerate(lines) if "tools/mutants.py" in line)
    test = next(i for i, line in enumerate(lines) if re.search(r"\bmake test\b", line))
    assert run > test
    # CI prints the table and leaves the committed one alone.
    assert "--no-write" in lines[run]
    target = (ROOT / "Makefile").read_text().split("\nmutants:", 1)[1].split("\n\n", 1)[0]
    assert "tools/mutants.py" in target


def test_makefile_has_the_lab_and_gpu_targets():
    makefile = (ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split()
    for target in ("lab", "outside-repo", "gpu-check"):
        assert re.search(rf"^{re.escape(target)}: \$\(STAMP\)$", makefile, re.M), target
        assert target in phony, target
    assert "tools/gpu_check.py --out" in makefile


def test_ci_runs_the_browser_tests_jupyterlab_included():
    assert "BROWSER_TESTS_REQUIRED=1 make browser-test" in _command_lines(CI)
    assert (ROOT / "tests" / "browser" / "test_lab.py").is_file()
