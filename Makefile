# Two commands on a fresh machine: `make demo` and `make test`.
# Every target bootstraps .venv first (CPU-only torch, pinned so pip never
# pulls a multi-GB CUDA build).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
TORCH  ?= torch==2.13.0
# On Linux, PyPI's torch wheel is the CUDA build (several GB), pin or not: set
# TORCH_INDEX=https://download.pytorch.org/whl/cpu for PyTorch's CPU-only wheels.
TORCH_INDEX ?=
# nbgrader runs the `alembic` executable: the venv's bin/ must be on PATH.
export PATH := $(abspath $(VENV))/bin:$(PATH)
# ...and notebooks run in this environment's kernel, whatever a user-wide Jupyter says.
export JUPYTER_PATH := $(abspath $(VENV))/share/jupyter

.PHONY: demo test test-browser venv build validate lab formgrader bench clean sandbox browser

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet '$(TORCH)' $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(PY) -m pip install --quiet '$(TORCH)' -e '.[dev]'
	touch $@

venv: $(VENV)/.installed  ## only the environment: .venv with CPU-only torch and the course's packages

# bubblewrap sandboxes student code while grading; installed here when we may
# (root with apt-get), otherwise grading still runs and its report says so.
sandbox:
	@command -v bwrap >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
	  else echo "bubblewrap is missing: grading will run student code without a sandbox (apt-get install bubblewrap)"; fi; }

# Chromium for tests/test_browser.py (Playwright drives Debian's build; it never
# downloads a browser). As root without it the browser tests fail, so CI cannot skip them.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium is missing: the browser tests are skipped (apt-get install chromium chromium-driver)"; fi; }

demo: $(VENV)/.installed sandbox  ## build, execute every solution, autograde three example submissions per notebook
	$(PY) -m grader demo

test: $(VENV)/.installed sandbox browser  ## the test suite within 10 minutes on 2 cores (CI runs it, then test-browser)
	$(PY) -m pytest -n auto --maxprocesses 4 --dist loadfile --durations=15 -m "not browser_all"

# The browser work and figure checks `make test` has no time for (marker
# browser_all): notebooks 02-08 in JupyterLab and in the figure check, Validate
# on all eight, the formgrader on their course.
test-browser: $(VENV)/.installed browser  ## the rest of the browser test and figure check (CI runs it after make test)
	$(PY) -m pytest -n auto --maxprocesses 2 --dist loadfile -m browser_all --durations=15 tests/test_browser.py tests/test_figures.py

build: $(VENV)/.installed  ## rebuild the student release in notebooks/
	$(PY) -m grader build

validate: $(VENV)/.installed  ## solutions pass every test, blank releases fail every test
	$(PY) -m grader validate

lab: $(VENV)/.installed  ## JupyterLab for students on work/ (copies in missing notebooks, never overwrites)
	$(PY) -m grader lab

formgrader: $(VENV)/.installed  ## JupyterLab for instructors on build/course, with every nbgrader plugin
	$(PY) -m grader formgrader

bench: $(VENV)/.installed  ## speed ratios measured side by side
	$(PY) -m bench

clean:
	rm -rf build
