# The README's two commands. Both set everything up on a fresh Debian machine:
# ngspice + libngspice (apt), a virtual environment in .venv, spicegen installed into it.
PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.spicegen-installed

.PHONY: demo test setup ngspice bench figures clean image-check brian2-env

demo: setup
	$(VENV)/bin/python -m spicegen.demo

test: setup
	$(VENV)/bin/python -m pytest

setup: ngspice $(STAMP)

ngspice:
	@sh scripts/install-system-deps.sh

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

# The model pages' validation figures (docs/models/img), each from real ngspice runs of the
# testbenches; FIGURES=dir writes them elsewhere.
FIGURES ?= docs/models/img
figures: setup
	$(VENV)/bin/python scripts/plot_models.py $(FIGURES)
	$(VENV)/bin/python scripts/plot_memory_models.py $(FIGURES)
	$(VENV)/bin/python scripts/plot_mtj.py $(FIGURES)

bench: setup
	$(VENV)/bin/python benchmarks/bench_raw.py
	$(VENV)/bin/python benchmarks/bench_writer.py
	$(VENV)/bin/python benchmarks/bench_engine.py
	$(VENV)/bin/python benchmarks/bench_compile.py
	$(VENV)/bin/python benchmarks/bench_crossbar.py
	$(VENV)/bin/python benchmarks/bench_sweep.py

# Build the Docker image with podman and run it for real (minutes; not part of `make test`).
image-check: setup
	$(VENV)/bin/python scripts/image_check.py

# Brian2 for benchmarks/bench_snn_brian2.py only, in its own environment: Brian2 2.9.0 (the
# last release for Python 3.11) needs numpy < 2, which spicegen does not run on. Not part of
# setup, test or CI.
BRIAN2_VENV := .venv-brian2
brian2-env:
	python3.11 -m venv $(BRIAN2_VENV)
	$(BRIAN2_VENV)/bin/python -m pip install --quiet 'brian2==2.9.0' 'numpy<2'

clean:
	rm -rf $(VENV) $(BRIAN2_VENV) out build *.egg-info
