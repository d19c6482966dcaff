# Set-up and the two README commands. `make demo` trains the default conflict model's
# quick profile if needed and scores seeds/; `make test` runs the test suite. Both create the
# virtual environment first: torch is installed on its own, pinned to the CPU build
# this machine has on disk (an unpinned torch would pull a multi-GB CUDA build).
# Elsewhere: make demo TORCH_SPEC="torch --index-url https://download.pytorch.org/whl/cpu"
PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
BIN := $(VENV)/bin
RUN := runs/default

.PHONY: setup demo test browser
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q $(TORCH_SPEC)
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

demo: setup
	test -f $(RUN)/metrics.json || $(BIN)/strife train --config configs/conflict-quick.yaml --output-dir $(RUN) --resume
	rm -f $(RUN)/seeds.jsonl
	$(BIN)/strife score --model $(RUN)/model --input seeds --output $(RUN)/seeds.jsonl
	$(BIN)/strife render --input $(RUN)/seeds.jsonl --output $(RUN)/seeds.html

# The render test screenshots a report in headless Chromium (Debian package); where it
# cannot be installed (no root, not Debian) that one test is skipped and says why.
browser:
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "chromium could not be installed: the browser test will be skipped"

test: setup browser
	$(BIN)/python -m pytest tests
