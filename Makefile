# GoTone quarterly analysis suite. `make help` lists the targets.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := data/demo
QUARTER ?= 2010Q4
JOBS   ?= 2

.DEFAULT_GOAL := help
.PHONY: help setup browser demo validate report test test-all lint bench coverage lab clean \
        spark-cluster spark-cluster-stop

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==25.3"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,spark]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (gotone)" >/dev/null
	touch $(STAMP)

setup: $(STAMP)  ## create .venv with the pinned environment

$(DEMO)/.complete: $(STAMP)
	$(BIN)/gotone demo-data --scale small --out $(DEMO)

demo: $(DEMO)/.complete  ## generate the synthetic demo data (small scale)

validate: demo  ## validate the demo data against the data contract
	$(BIN)/gotone validate $(DEMO)/survey $(DEMO)/kpi $(DEMO)/benchmark $(DEMO)/panel

report: validate  ## produce the reports for the latest demo quarter, province and nine cities
	$(BIN)/gotone run --quarter $(QUARTER) --scope all --jobs $(JOBS) --data $(DEMO) --out outputs

browser:  ## Debian's chromium and a CJK font for the browser test (installed with apt-get when root)
	@if command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk; \
	else echo "make browser: chromium is not installed and installing it needs root" \
	  "(apt-get install -y chromium); the browser test will be skipped"; fi

test: $(STAMP) browser  ## run the test suite (slow, large-scale checks excluded)
	$(BIN)/python -m pytest -q -n 2 -m "not slow"

test-all: $(STAMP) browser  ## run every test, slow ones included
	$(BIN)/python -m pytest -q -n 2

lint: $(STAMP)  ## ruff over the package, tests and notebooks
	$(BIN)/ruff check gotone_analysis tests notebooks benchmarks tools

bench: $(STAMP)  ## benchmarks: print name=value figures
	$(BIN)/python benchmarks/run.py

coverage: $(STAMP)  ## coverage study of the 95 % intervals on the demo; COVERAGE_ARGS="--seeds 4"
	$(BIN)/python benchmarks/run.py coverage $(COVERAGE_ARGS)

lab: $(STAMP) demo  ## open JupyterLab on the notebooks (as root too); LAB_ARGS="--ServerApp.port=8890"
	$(BIN)/python -m gotone_analysis.lab notebooks $(LAB_ARGS)

spark-cluster: $(STAMP)  ## start a Spark standalone master and worker here; SPARK_ARGS="--port 7077"
	$(BIN)/python tools/spark_cluster.py start $(SPARK_ARGS)

spark-cluster-stop:  ## stop the Spark cluster of `make spark-cluster`
	$(BIN)/python tools/spark_cluster.py stop $(SPARK_ARGS)

clean:  ## remove generated data and outputs (keeps .venv)
	rm -rf $(DEMO) outputs .pytest_cache
