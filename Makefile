# The two commands of the README: `make run` (main job) and `make test` (the suite).
# Both create the virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
CONSTRAINTS ?= constraints/local-cpu.txt
BIN := $(VENV)/bin
# TORCH_INDEX: take torch from this index first, e.g. PyTorch's CPU-only wheels on an ordinary Linux machine:
#   make CONSTRAINTS= TORCH_INDEX=https://download.pytorch.org/whl/cpu test
TORCH_INDEX ?=
PIP_C := $(if $(CONSTRAINTS),-c $(CONSTRAINTS),)
# one stamp per set-up configuration: changing CONSTRAINTS or TORCH_INDEX reinstalls
STAMP := $(VENV)/.installed-$(or $(subst /,_,$(subst :,_,$(CONSTRAINTS)$(TORCH_INDEX))),unpinned)

.PHONY: setup run test bench installcheck screenshot clean

setup: $(STAMP)

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "make: tp4 needs Python >= 3.11 as $(PYTHON) (have: $$($(PYTHON) --version 2>&1 | head -n 1)); run make PYTHON=python3.11"; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  echo "make: $(PYTHON) -m venv is not available here (Debian/Ubuntu: apt install python3-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	rm -f $(VENV)/.installed-*
	$(BIN)/python -m pip install -q --upgrade pip
	$(if $(TORCH_INDEX),$(BIN)/python -m pip install torch --index-url $(TORCH_INDEX))
	$(BIN)/python -m pip install $(PIP_C) -e '.[dev]'
	touch $@

run: setup
	$(BIN)/tp4 report --profile quick --out reports/latest

test: setup
	$(BIN)/python -m pytest -n auto

# a built wheel in a fresh venv, used outside the checkout: the tp4 command and the pytest plugin
installcheck:
	CONSTRAINTS=$(CONSTRAINTS) PYTHON=$(PYTHON) bash .ci/installcheck

bench: setup
	$(BIN)/python -m pip install -q $(PIP_C) -e '.[dev,bench]'
	$(BIN)/python -m pip install -q --no-deps mup==1.0.0
	mkdir -p .benchmarks
	$(BIN)/python -m pytest -p no:xdist --benchmark-only --benchmark-enable --benchmark-json .benchmarks/last.json tests/benchmarks/bench_sweep_speed.py tests/benchmarks/bench_limits.py tests/benchmarks/bench_model_recording.py tests/benchmarks/bench_startup.py tests/benchmarks/bench_vs_mup.py
	$(BIN)/python -m tests.benchmarks.ratios .benchmarks/last.json

# the report as a browser shows it, for a person to look at (Debian's chromium): reports/latest/screenshot.png
screenshot:
	/usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
	  --disable-sync --no-first-run --hide-scrollbars --user-data-dir=$$(mktemp -d) --window-size=1400,6000 \
	  --virtual-time-budget=5000 --screenshot=$(CURDIR)/reports/latest/screenshot.png file://$(CURDIR)/reports/latest/report.html

clean:
	rm -rf $(VENV) build *.egg-info
