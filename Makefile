# The two commands of the quick start: `make compare` and `make test`.
# Each builds .venv on first use, with the exact versions pinned in pyproject.toml.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.installed

.PHONY: compare test clean

compare: $(READY)
	$(BIN)/capqueue compare

test: $(READY)
	$(BIN)/python -m pytest

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[models,test]'
	touch $(READY)

clean:
	rm -rf $(VENV) *.egg-info
