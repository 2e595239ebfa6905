# The two README commands: `make run` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CODE := src projections devstack bench
PYTEST_ARGS ?=
# The local servers' manager lives in the checkout, not in the installed package.
STACK := $(BIN)/python -m devstack

.PHONY: run test install lint typecheck pytest stack-up stack-down stack-status clean

run: $(INSTALLED)
	$(STACK) run -- $(BIN)/commerce dev

test: lint typecheck
	$(STACK) run --fresh -- $(BIN)/pytest $(PYTEST_ARGS)

install: $(INSTALLED)

# Reinstall when the dependencies or their pins change.
$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

lint: $(INSTALLED)
	$(BIN)/ruff check $(CODE) tests
	$(BIN)/ruff format --check $(CODE) tests

typecheck: $(INSTALLED)
	$(BIN)/mypy

stack-up: $(INSTALLED)
	$(STACK) up

stack-down: $(INSTALLED)
	$(STACK) down

stack-status: $(INSTALLED)
	$(STACK) status

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
