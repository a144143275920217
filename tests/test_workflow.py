"""The GitHub workflows: Pages (builds the book the README's way and publishes it) and CI
(runs .ci/run on pull requests and pushes); both valid YAML."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
CI_WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def _load(path=WORKFLOW):
    data = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def _steps(data):
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


def test_workflow_is_valid_yaml_with_triggers():
    data = _load()
    assert data["on"]["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in data["on"]
    assert data["permissions"]["pages"] == "write" and data["permissions"]["id-token"] == "write"


def test_workflow_builds_with_the_readme_command():
    readme = (ROOT / "README.md").read_text()
    assert "make book" in readme
    runs = [step.get("run", "") for step in _steps(_load())]
    assert any(re.search(r"^make book\s*$", run, re.M) for run in runs), runs


def test_workflow_uses_python_311_and_full_mnist():
    data = _load()
    setup = [s for s in _steps(data) if s.get("uses", "").startswith("actions/setup-python@")]
    assert setup and str(setup[0]["with"]["python-version"]) == "3.11"
    assert data["env"]["LAZYNB_DATA"]
    assert any("load_mnist" in s.get("run", "") for s in _steps(data))


def test_workflow_uploads_and_deploys_the_site():
    data = _load()
    steps = _steps(data)
    upload = [s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload and upload[0]["with"]["path"] == "_build/html"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in steps)
    deploy = data["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"


# ----------------------------------------------------------------- ci.yml


def test_ci_runs_on_pull_requests_and_pushes():
    data = _load(CI_WORKFLOW)
    assert "pull_request" in data["on"]
    assert data["on"]["push"]["branches"] == ["main"]
    assert data["permissions"] == {"contents": "read"}


def test_ci_runs_the_ci_script_on_python_311():
    steps = _steps(_load(CI_WORKFLOW))
    setup = [s for s in steps if s.get("uses", "").startswith("actions/setup-python@")]
    assert setup and str(setup[0]["with"]["python-version"]) == "3.11"
    runs = [step.get("run", "") for step in steps]
    assert any(re.search(r"^\.ci/run\s*$", run, re.M) for run in runs), runs
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111, ".ci/run must be executable"


def test_ci_gives_ci_run_the_full_mnist_set():
    """.ci/run needs the full set in $LAZYNB_FULL_MNIST: CI downloads it there with
    lazynb's loader, before .ci/run, into a cached folder."""
    steps = _steps(_load(CI_WORKFLOW))
    script = (ROOT / ".ci" / "run").read_text()
    assert "LAZYNB_FULL_MNIST" in script
    runs = [s.get("run", "") for s in steps]
    sets = [i for i, r in enumerate(runs) if "LAZYNB_FULL_MNIST=" in r and "GITHUB_ENV" in r]
    cache = [i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/cache@")]
    download = [
        i
        for i, r in enumerate(runs)
        if "load_mnist" in r and 'LAZYNB_DATA="$LAZYNB_FULL_MNIST"' in r
    ]
    ci_run = [i for i, r in enumerate(runs) if re.search(r"^\.ci/run\s*$", r, re.M)]
    assert sets and cache and download and ci_run, runs
    # The folder is set, restored from the cache, filled if empty, then used by .ci/run.
    assert sets[0] < cache[0] < download[0] < ci_run[0]
    assert "$HOME/.cache/lazynb/mnist" in runs[sets[0]]
    assert steps[cache[0]]["with"]["path"] == "~/.cache/lazynb/mnist"
