# Paramount: two commands matter. `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3.11
VENV := .venv
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
DEMO_DIR ?= demo
DEMO_POPULATION ?= 100000
DEMO_SEED ?= 7
# The demo reads like a live force: its extract is taken today and the window is the last
# twelve months of receptions, up to yesterday (GNU date).
DEMO_EXTRACT_DATE ?= $(shell date +%F)
DEMO_TO ?= $(shell date -d "$(DEMO_EXTRACT_DATE) -1 day" +%F)
DEMO_FROM ?= $(shell date -d "$(DEMO_TO) -1 year +1 day" +%F)

DEMO_HOST ?= 127.0.0.1
DEMO_PORT ?= 8000
GOVUK_STATIC := paramount/casework/static/govuk

.PHONY: demo test lint typecheck setup clean benchmark assets

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON) --quiet --extra spark
	touch $@

# Front-end assets: GOV.UK Frontend from npm (package-lock.json), copied into the casework
# app's static folder with its font and image paths made relative. Nothing is fetched at run time.
# The `sourceMappingURL` comments are stripped: the source maps (650 KB of developer material)
# are not shipped, and `collectstatic`'s manifest storage refuses a reference to a missing file.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(GOVUK_STATIC)/.copied: node_modules/.package-lock.json Makefile
	rm -rf $(GOVUK_STATIC) && mkdir -p $(GOVUK_STATIC)
	cp -R node_modules/govuk-frontend/dist/govuk/assets $(GOVUK_STATIC)/assets
	sed 's#//\# sourceMappingURL=.*$$##' node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js > $(GOVUK_STATIC)/govuk-frontend.min.js
	sed -e 's#url(/assets/#url(assets/#g' -e 's#/\*\# *sourceMappingURL=[^*]*\*/##' node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css > $(GOVUK_STATIC)/govuk-frontend.min.css
	touch $@

assets: $(GOVUK_STATIC)/.copied

setup: $(VENV)/.synced assets

demo: setup
	$(VENV)/bin/paramount synth --population $(DEMO_POPULATION) --seed $(DEMO_SEED) --out $(DEMO_DIR)/force --extract-date $(DEMO_EXTRACT_DATE)
	$(VENV)/bin/paramount identify $(DEMO_DIR)/force/extract --from $(DEMO_FROM) --to $(DEMO_TO) --out $(DEMO_DIR)/run --method full
	$(VENV)/bin/paramount evaluate $(DEMO_DIR)/run/children.csv --truth $(DEMO_DIR)/force/truth --from $(DEMO_FROM) --to $(DEMO_TO) --json $(DEMO_DIR)/run/scores.json --verdicts $(DEMO_DIR)/run/judged.csv
	@echo ""
	@echo "Done. Where to look:"
	@echo "  worklist for analysts:  $(DEMO_DIR)/run/worklist.xlsx"
	@echo "  children (contract):    $(DEMO_DIR)/run/children.csv"
	@echo "  run manifest:           $(DEMO_DIR)/run/manifest.json"
	@echo "  scores against truth:   $(DEMO_DIR)/run/scores.json"
	@echo "  the synthetic force:    $(DEMO_DIR)/force/extract (truth in $(DEMO_DIR)/force/truth)"
	@echo ""
	@echo "Casework: demo accounts, the run imported, then the application (Ctrl-C to stop)."
	PARAMOUNT_DEMO=1 PARAMOUNT_DATA_DIR=$(DEMO_DIR)/casework $(VENV)/bin/paramount casework demo-users
	PARAMOUNT_DEMO=1 PARAMOUNT_DATA_DIR=$(DEMO_DIR)/casework $(VENV)/bin/paramount casework import $(DEMO_DIR)/run --force DEMO --demo-daily
	PARAMOUNT_DEMO=1 PARAMOUNT_DATA_DIR=$(DEMO_DIR)/casework $(VENV)/bin/paramount casework demo-progress --seed $(DEMO_SEED) --judged $(DEMO_DIR)/run
	PARAMOUNT_DEMO=1 PARAMOUNT_DATA_DIR=$(DEMO_DIR)/casework $(VENV)/bin/paramount report --from $(DEMO_FROM) --to $(DEMO_TO) --out $(DEMO_DIR)/board
	@echo "Board report for the period (HTML and PDF): $(DEMO_DIR)/board/"
	PARAMOUNT_DEMO=1 PARAMOUNT_DATA_DIR=$(DEMO_DIR)/casework $(VENV)/bin/paramount serve --host $(DEMO_HOST) --port $(DEMO_PORT) --demo-logins

# The identification path's packages: typed (mypy, [tool.mypy] in pyproject.toml) and
# formatted (ruff format); the layer order itself is tests/test_architecture.py.
TYPED := paramount/contract paramount/privacy paramount/db paramount/loading paramount/linkage paramount/engine \
	paramount/outputs paramount/verdicts paramount/run.py paramount/cli.py paramount/progress.py paramount/intervals.py paramount/evaluation

lint: setup
	$(VENV)/bin/ruff check paramount tests benchmarks
	$(VENV)/bin/ruff format --check $(TYPED)

typecheck: setup
	$(VENV)/bin/mypy

test: setup lint typecheck
	$(VENV)/bin/pytest -q -n auto --maxprocesses 4 --dist loadscope

benchmark: setup
	$(UV) sync --frozen --python $(PYTHON) --quiet --group benchmarks
	mkdir -p bench-out
	$(VENV)/bin/python benchmarks/run_benchmarks.py > bench-out/baseline.md
	$(VENV)/bin/python benchmarks/compare_methods.py --population 300000 --seeds 603 604 \
		--methods baseline routes-exact full --work bench-out/compare > bench-out/compare.md
	$(VENV)/bin/python benchmarks/febrl4.py > bench-out/febrl4.md
	$(VENV)/bin/python benchmarks/resolve_identify_speed.py --population 2400000 \
		--work bench-out/speed > bench-out/speed.md
	cat bench-out/baseline.md bench-out/compare.md bench-out/febrl4.md bench-out/speed.md
	@echo "Tables in bench-out/*.md; copy them into docs/benchmarks.md with the date."

clean:
	rm -rf $(VENV) .tools $(DEMO_DIR) node_modules $(GOVUK_STATIC)
