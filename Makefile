# Paramount: two commands matter. `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3.11
VENV := .venv
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
DEMO_DIR ?= demo
DEMO_POPULATION ?= 100000
DEMO_SEED ?= 7
DEMO_FROM ?= 2025-01-01
DEMO_TO ?= 2025-12-31

.PHONY: demo test lint setup clean benchmark

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON) --quiet
	touch $@

setup: $(VENV)/.synced

demo: setup
	$(VENV)/bin/paramount synth --population $(DEMO_POPULATION) --seed $(DEMO_SEED) --out $(DEMO_DIR)/force
	$(VENV)/bin/paramount identify $(DEMO_DIR)/force/extract --from $(DEMO_FROM) --to $(DEMO_TO) --out $(DEMO_DIR)/run --method baseline
	$(VENV)/bin/paramount evaluate $(DEMO_DIR)/run/children.csv --truth $(DEMO_DIR)/force/truth --from $(DEMO_FROM) --to $(DEMO_TO) --json $(DEMO_DIR)/run/scores.json
	@echo ""
	@echo "Done. Where to look:"
	@echo "  worklist for analysts:  $(DEMO_DIR)/run/worklist.xlsx"
	@echo "  children (contract):    $(DEMO_DIR)/run/children.csv"
	@echo "  run manifest:           $(DEMO_DIR)/run/manifest.json"
	@echo "  scores against truth:   $(DEMO_DIR)/run/scores.json"
	@echo "  the synthetic force:    $(DEMO_DIR)/force/extract (truth in $(DEMO_DIR)/force/truth)"

lint: setup
	$(VENV)/bin/ruff check paramount tests benchmarks

test: setup lint
	$(VENV)/bin/pytest -q

benchmark: setup
	$(VENV)/bin/python benchmarks/run_benchmarks.py

clean:
	rm -rf $(VENV) .tools $(DEMO_DIR)
