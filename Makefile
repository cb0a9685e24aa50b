# The README's two commands. Both set everything up on a fresh Debian machine:
# ngspice + libngspice (apt), a virtual environment in .venv, spicegen installed into it.
PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.spicegen-installed

.PHONY: demo test setup ngspice bench figures clean image-check

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

clean:
	rm -rf $(VENV) out build *.egg-info
