# spacesim: `make demo` and `make test` set everything up on a fresh machine.

# The first interpreter that is Python 3.12 or newer: python3, python3.13,
# python3.12, then any 3.12+ that pyenv has installed (if pyenv is present).
FIND_PYTHON = for c in python3 python3.13 python3.12 $$(command -v pyenv >/dev/null 2>&1 && ls -d "$$(pyenv root)"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  if command -v "$$c" >/dev/null 2>&1 && "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v "$$c"; break; fi; \
	done
PYTHON ?= $(shell $(FIND_PYTHON))

VENV  := .venv
VPY   := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test check lint lint-ruff lint-format lint-types bench clean help

help:
	@echo "make demo   set up, then run the baseline experiment (20 replicates) into results/demo/ and one baseline run into results/demo-run/, then write the batch's HTML report"
	@echo "make test   set up, then run the whole test suite (every lane, as CI does)"
	@echo "make check  set up, then run the fast lane: unit, doctest and property tests (no statistical, subprocess, cluster or browser tests)"
	@echo "make lint   set up, then run ruff (lint and format check) and mypy, configured in pyproject.toml"
	@echo "make bench  set up, then run the performance benchmarks of the model, of batches and of the dashboard (see benchmarks/README.md)"

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: no Python 3.12 or newer found (tried python3, python3.13, python3.12 and pyenv's versions)."; \
	  echo "       Install Python 3.12+ or name one: make PYTHON=/path/to/python3.12 $(MAKECMDGOALS)"; exit 1; fi
	@echo "setting up $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv --clear $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -e ".[test]"
	@echo "compiling the model's loops once (Numba caches them beside the source; under a minute)"
	$(VPY) -c "from spacesim import SpaceModel; SpaceModel(steps=2).run()"
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/spacesim batch experiments/baseline.yaml --out results/demo --force
	$(VENV)/bin/spacesim run scenarios/baseline.yaml --out results/demo-run --force
	@echo "report of the demo batch (one HTML file, plots embedded):"
	@$(VENV)/bin/spacesim report results/demo

test: $(STAMP)
	$(VPY) -m pytest

# The lanes' markers are in pyproject.toml and are set in tests/conftest.py.
FAST_LANE := not (statistical or subprocess or cluster or browser)

# Two processes (pytest-xdist): the lane needs about 145 s of CPU, so about 75 s on this 2-core machine when idle.
check: $(STAMP)
	$(VPY) -m pytest -q -n 2 -m "$(FAST_LANE)"

# Three steps, so that `make -k lint` reports all of them (configured in pyproject.toml).
lint: lint-ruff lint-format lint-types

lint-ruff: $(STAMP)
	$(VENV)/bin/ruff check .

lint-format: $(STAMP)
	$(VENV)/bin/ruff format --check .

lint-types: $(STAMP)
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(VPY) benchmarks/bench_model.py
	$(VPY) benchmarks/bench_batch.py
	$(VPY) benchmarks/bench_dashboard.py
	$(VPY) benchmarks/bench_calibrate.py

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis
