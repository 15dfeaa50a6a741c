# Two commands do everything on a fresh machine with Python 3.11+:
#   make build   set up .venv, build the bundled archive into output/
#   make test    set up .venv (and Chromium and Firefox), run the whole test suite
# The interpreter .venv is made with: the system's own Python when it is 3.11 or newer and can make
# a venv, else the python3 on PATH. Distributions compile theirs with profile-guided and link-time
# optimisation, which pyenv's default build lacks: with Debian's, a cold build of 10,000 articles
# took ~5% less CPU and wall time here (README, "Performance"). `make PYTHON=python3` chooses;
# an existing .venv keeps its interpreter until `make clean`.
SYSTEM_PYTHON := /usr/bin/python3
PYTHON ?= $(shell $(SYSTEM_PYTHON) -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' \
	>/dev/null 2>&1 && echo $(SYSTEM_PYTHON) || echo python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: build test setup lint typecheck clean serve bytecode

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Compiled bytecode for the package: where PYTHONDONTWRITEBYTECODE is set (as on CI machines),
# Python would otherwise compile every module again on each run (~0.1 s of every build).
bytecode: $(STAMP)
	@$(PY) -m compileall -q marginalia

setup: $(STAMP) bytecode

build: $(STAMP) bytecode
	$(PY) build.py build

serve: $(STAMP)
	$(PY) build.py serve

lint: $(STAMP)
	$(PY) -m ruff check marginalia build.py tests bench

typecheck: $(STAMP)
	$(PY) -m mypy

test: $(STAMP) bytecode
	@sh .ci/install-browsers
	$(PY) -m ruff check marginalia build.py tests bench
	$(PY) -m mypy
	$(PY) -m pytest -n 2 -p no:cacheprovider -m "not serial"
	$(PY) -m pytest -p no:cacheprovider -m serial

clean:
	rm -rf output .venv .marginalia-cache
