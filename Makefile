# The two commands of the README: `make run` (demo site) and `make test` (whole suite).
# Both create .venv and install everything on a fresh machine with Python 3.11.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install messages run test lint typecheck worker beat

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Bytecode of our own modules written once here: where PYTHONDONTWRITEBYTECODE is set,
# every process would otherwise compile them again at start-up (`tagtext` pays it per run).
install: $(STAMP) messages
	$(BIN)/python -m compileall -q community accounts intel notifications manage.py >/dev/null

messages: $(STAMP)
	$(BIN)/python manage.py compiletranslations

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving the demo at http://127.0.0.1:8000/ (stop with Ctrl-C)"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy community accounts intel notifications

test: install lint
	$(BIN)/python -m pytest

worker: install
	$(BIN)/celery -A community worker --loglevel=INFO

beat: install
	$(BIN)/celery -A community beat --loglevel=INFO
