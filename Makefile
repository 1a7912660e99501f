# The two commands of the README: `make run` (main job) and `make test` (the suite).
# Both create the virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
CONSTRAINTS ?= constraints/local-cpu.txt
BIN := $(VENV)/bin
PIP_C := $(if $(CONSTRAINTS),-c $(CONSTRAINTS),)

.PHONY: setup run test bench installcheck clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q $(PIP_C) -e '.[dev]'
	touch $@

run: setup
	$(BIN)/tp4 report --profile quick --out reports/latest

test: setup
	$(BIN)/python -m pytest -n auto

# a built wheel in a fresh venv, used outside the checkout: the tp4 command and the pytest plugin
installcheck:
	CONSTRAINTS=$(CONSTRAINTS) PYTHON=$(PYTHON) bash .ci/installcheck

bench: setup
	mkdir -p .benchmarks
	$(BIN)/python -m pytest -p no:xdist --benchmark-only --benchmark-enable --benchmark-json .benchmarks/last.json tests/benchmarks/bench_sweep_speed.py tests/benchmarks/bench_limits.py tests/benchmarks/bench_model_recording.py tests/benchmarks/bench_startup.py
	$(BIN)/python -m tests.benchmarks.ratios .benchmarks/last.json

clean:
	rm -rf $(VENV) build *.egg-info
