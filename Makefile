# One way to run everything. `make demo` and `make test` work on a fresh machine with
# only Python 3.11: they create .venv and install the project into it. Another Python gets
# its own environment: `make test PYTHON=/usr/bin/python3 VENV=.venv-deb`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= claims.db

.PHONY: demo test lint typecheck pytest specs bench serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	rm -f $(DB) $(DB)-wal $(DB)-shm
	$(BIN)/claims ingest corpus --db $(DB)
	$(BIN)/claims eval tests/gold/seed_claims.jsonl --db $(DB) | tail -n 4  # claims P/R, subject/metric/hedged, conflicts, what was not compared
	@if $(BIN)/claims --help | grep -q ' report'; then $(BIN)/claims report --db $(DB); fi

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check extractor tests $(wildcard bench)

typecheck: $(STAMP)
	$(BIN)/mypy extractor

pytest: $(STAMP)
	$(BIN)/pytest -q

specs: $(STAMP)
	$(BIN)/claims specs

bench: $(STAMP)
	$(BIN)/python bench/run.py

serve: $(STAMP)
	$(BIN)/claims serve --db $(DB)

clean:
	rm -rf $(VENV) .venv-deb $(DB) $(DB)-wal $(DB)-shm .mypy_cache .ruff_cache .pytest_cache
