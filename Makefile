# The whole setup on a fresh machine: `make run` (app on the sample data) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
WAREHOUSE ?= data/warehouse.duckdb
PORT ?= 8501

.PHONY: run test browser-test workbook-test lint warehouse clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# Exit code 3 means "loaded, with rejected rows": the sample data plants a few on purpose.
# A warehouse older than the marts' SQL is loaded again: unchanged files only rebuild the marts.
$(WAREHOUSE): $(VENV)/.installed etl/marts.sql etl/schema.sql
	$(PY) -m etl --warehouse $(WAREHOUSE) load sample_data || [ $$? -eq 3 ]
	touch $@  # an unchanged reload leaves the file as it was

warehouse: $(WAREHOUSE)

run: $(VENV)/.installed $(WAREHOUSE)
	HTRA_WAREHOUSE=$(WAREHOUSE) $(VENV)/bin/streamlit run dashboard.py \
		--server.address localhost --server.port $(PORT) --server.headless true

test: $(VENV)/.installed
	$(PY) -m pytest -q --cov --cov-report=term

# Playwright drives the system chromium (/usr/bin/chromium, Debian package `chromium`); its own
# browser download (`playwright install`) is never run.
$(VENV)/.browser-installed: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test,browser]'
	touch $@

browser-test: $(VENV)/.browser-installed
	$(PY) -m pytest -q -m browser tests/browser

# Every workbook opened by a second client, LibreOffice (Debian package libreoffice-calc).
workbook-test: $(VENV)/.installed
	$(PY) -m pytest -q -m libreoffice tests/test_exports.py

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) data
