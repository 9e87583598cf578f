# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Reinstall only when the dependency list changes.
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck format messages compilemessages clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

# One test process per core (pytest-xdist); `make test TEST_PROCESSES=0` runs in this process only.
TEST_PROCESSES ?= auto
test: $(STAMP)
	$(PY) -m pytest -n $(TEST_PROCESSES)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The services and selectors of every app (files and settings: [tool.mypy] in pyproject.toml).
typecheck: $(STAMP)
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# After changing user-visible strings: `make messages`, translate the new entries, `make compilemessages`.
I18N_IGNORE := --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'tests/*' --ignore 'bench/*'
messages: $(STAMP)
	$(PY) manage.py makemessages --locale zh_Hans --locale en --no-obsolete $(I18N_IGNORE)

compilemessages: $(STAMP)
	$(PY) manage.py compilemessages $(I18N_IGNORE)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache
