# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make book   - install into .venv (first time) and build the site into _build/html
#   make test   - install into .venv (first time) and run every test, notebooks included
#   make browser-test - after `make book`: drive headless Chromium over _build/html
#   make unit  - the package's fast unit tests alone (no notebooks, no `slow` tests)
#   make lint  - ruff check and ruff format --check over the .py files (not the notebooks)
#   make lab   - JupyterLab from .venv, the local way to read the book interactively
#   make outside-repo - every chapter notebook alone, in a fresh venv outside the repo, as on Colab
#   make gpu-check    - the GPU checks, as JSON in _build/gpu_check.json (skips on a CPU-only machine)
#   make mutants      - mutation testing of the exercise checkers (tests/mutants/results.md)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PATH := $(abspath $(BIN)):$(PATH)
# Keep TensorFlow's C++ start-up quiet in every kernel these targets start.
export TF_CPP_MIN_LOG_LEVEL := 3

.PHONY: book test unit lint browser-test install clean lab outside-repo gpu-check mutants

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# The execution cache is keyed on the notebooks' text, not on the data they
# read: when LAZYNB_DATA changes, every notebook runs again.
# LAZYNB_STATIC_EXPLORERS=1: the explorers render as static Plotly figures computed by
# the book's own code at build time (lazynb.explorers); a live kernel gets the widgets.
book: $(STAMP)
	@regime="LAZYNB_DATA=$${LAZYNB_DATA:-} LAZYNB_DOWNLOAD=$${LAZYNB_DOWNLOAD:-}"; \
	if [ -f _build/.data_regime ] && [ "$$(cat _build/.data_regime)" != "$$regime" ]; then \
	  echo "data regime changed ($$regime): executing every notebook again"; rm -rf _build/.jupyter_cache; fi; \
	mkdir -p _build; echo "$$regime" > _build/.data_regime
	LAZYNB_STATIC_EXPLORERS=1 $(BIN)/jupyter-book build . --builder html -W -n --keep-going
	$(BIN)/python tools/check_site.py _build/html

# pytest's exit code 5 means "no tests collected": a broken set-up, not a pass.
test: $(STAMP)
	@$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: the test set-up is broken" >&2; exit 1; fi; \
	exit $$rc

# The fast tests alone: tests/ (the explicit path replaces testpaths, so no
# notebook is collected; nbval stays loaded for addopts' --nbval-lax) without
# the tests marked slow (@pytest.mark.slow): the edit-test loop.
unit: $(STAMP)
	@$(BIN)/python -m pytest tests -m "not slow" -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: the test set-up is broken" >&2; exit 1; fi; \
	exit $$rc

# Lint and formatting, configured in pyproject.toml ([tool.ruff]); the notebooks
# are left out (their cells are the book's listings). `ruff format` fixes the
# formatting, `ruff check --fix` what it can of the rest.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The built site in a real browser: needs `make book` first and Chromium
# (apt-get install chromium). Screenshots go to _build/screenshots/. Tests whose
# prerequisites are missing are skipped with the reason, or fail where
# BROWSER_TESTS_REQUIRED=1 (CI).
browser-test: $(STAMP)
	@$(BIN)/python -m pytest tests/browser -rs; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no browser tests: the test set-up is broken" >&2; exit 1; fi; \
	exit $$rc

# The README's local way in: JupyterLab, installed into .venv by the dev extra.
lab: $(STAMP)
	$(BIN)/jupyter lab

# Each chapter notebook copied alone into an empty folder and executed, offline, in a
# fresh venv outside the repository holding the lazynb wheel built from this checkout,
# what the notebooks' set-up cell installs and what Colab ships (nothing from
# requirements.txt): a missing data file, an undeclared dependency or a path into the
# repository fails here, as does a section that skips itself for a missing package.
# Needs the package index (TensorFlow is installed into the fresh venv).
outside-repo: $(STAMP)
	$(BIN)/python tools/run_outside_repo.py --json _build/outside_repo.json

# On a machine with a GPU: nvidia-smi, TensorFlow's devices, the gpu-marked tests, TFMLP
# against the NumPy MLP, bench_tf.py against Keras, chapter 4 timed, mixed precision;
# at most 8 minutes. On a CPU-only machine every GPU part is skipped with its reason.
gpu-check: $(STAMP)
	$(BIN)/python tools/gpu_check.py --out _build/gpu_check.json

# Mutation testing of the exercise checkers: mutmut changes each function exercise's
# reference solution (lazynb/exercises/solutions/) in small ways, and the exercise's own
# check must reject every change; prints the table and records it in tests/mutants/.
mutants: $(STAMP)
	$(BIN)/python tools/mutants.py

clean:
	rm -rf _build
