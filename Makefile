# FusionBox set-up and main jobs. `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.fusionbox-installed
export FUSIONBOX_CACHE ?= $(HOME)/.cache/fusionbox
export PIP_CACHE_DIR ?= $(HOME)/.cache/pip

.PHONY: setup demo test lint format clean-venv

setup: $(STAMP)

# (Re)install when the pins or the package metadata change; the mmcv wheel is built once and
# cached in $(FUSIONBOX_CACHE)/wheels.
$(STAMP): requirements/constraints.txt requirements/runtime.txt requirements/tests.txt setup.cfg tools/setup/install.sh
	PYTHON=$(PYTHON) VENV=$(VENV) bash tools/setup/install.sh
	touch $(STAMP)

demo: setup
	$(PY) tools/demo.py

# -rfEs: every failure, error and skip listed with its reason; a shared-data test that skips
# while ../shared/data is present fails (tests/shared_data_guard.py).
test: setup
	$(VENV)/bin/ruff check fusionbox tools tests projects benchmarks
	$(VENV)/bin/ruff format --check fusionbox tools tests projects benchmarks
	$(PY) -m pytest -n 2 -q -rfEs tests

lint: setup
	$(VENV)/bin/ruff check fusionbox tools tests projects benchmarks

format: setup
	$(VENV)/bin/ruff format fusionbox tools tests projects benchmarks
	$(VENV)/bin/ruff check --fix fusionbox tools tests projects benchmarks

clean-venv:
	rm -rf $(VENV)
