# Mentor bot: `make run` talks to the bot, `make test` checks it. `make help` lists the rest.
PYTHON ?= python3.10
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MODEL := models/mentor.tar.gz
TRAIN_INPUTS := config.yml domain.yml $(shell find nlu stories -name '*.yml' -o -name '*.txt' 2>/dev/null)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3

.PHONY: help run console test lint validate train eval eval-langid bench clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(INSTALLED): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==24.0"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

$(MODEL): $(INSTALLED) $(TRAIN_INPUTS)
	$(BIN)/mentor train

run: $(MODEL)  ## Run the bot (a terminal chat when no channel is configured)
	@$(BIN)/mentor run

console: $(INSTALLED)  ## Serve the staff console alone (no model needed); prints a first-admin link when no account exists
	@$(BIN)/mentor console

test: $(MODEL)  ## Lint, validate the data and the knowledge base, run the tests
	$(BIN)/ruff check .
	$(BIN)/mentor kb validate
	$(BIN)/mentor validate
	$(BIN)/pytest

train: $(INSTALLED)  ## Train the models (skipped when their inputs did not change)
	$(BIN)/mentor train

eval: $(MODEL)  ## NLU accuracy on the held-out set
	$(BIN)/mentor eval

eval-langid: $(MODEL)  ## Language layer vs raw langdetect on ../shared/eval/langid
	$(BIN)/mentor eval langid

bench: $(MODEL)  ## Speed and memory figures as JSON
	$(BIN)/mentor bench

clean:  ## Remove the virtual environment and the models
	rm -rf $(VENV) models
