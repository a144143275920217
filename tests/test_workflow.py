"""The GitHub Pages workflow: valid YAML that builds the book the README's way and publishes it."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def _load():
    data = yaml.safe_load(WORKFLOW.read_text())
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
