# Pedidos com Kafka. `make` alone lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
VENV := .venv
PEDIDOS := $(VENV)/bin/pedidos
PYTEST_ARGS ?=
TRAFFIC_RATE ?= 2

.PHONY: help setup run stop status test test-fast test-unit lint clean

help: ## Mostra esta ajuda / show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36mmake %-10s\033[0m %s\n", $$1, $$2}'

setup: ## Instala o que falta (apt, pip, Maven) / install what is missing, idempotently
	@bash tools/setup/setup.sh

run: setup ## Sobe tudo, semeia dados e liga o tráfego / everything up, seeded, traffic on
	@$(PEDIDOS) stack up
	@$(PEDIDOS) provision
	@$(PEDIDOS) seed
	@$(PEDIDOS) services up --traffic-rate $(TRAFFIC_RATE)
	@$(PEDIDOS) stack status

stop: ## Para tudo o que o projeto iniciou / stop everything the project started
	@if [ -x $(PEDIDOS) ]; then $(PEDIDOS) services down; $(PEDIDOS) stack down; \
	 else echo "nada a parar / nothing to stop"; fi

status: ## Saúde e memória de cada componente / health and memory of each component
	@$(PEDIDOS) stack status

test: setup lint ## Lint + testes (Python e painel) contra o stack real / all tests, real stack and browser
	@cd ui && npm test --silent
	@$(VENV)/bin/pytest -ra $(PYTEST_ARGS)

test-fast: setup lint ## Como `make test`, sem os testes lentos / the same without the slow tests (-m "not slow")
	@cd ui && npm test --silent
	@$(VENV)/bin/pytest -ra -m "not slow" $(PYTEST_ARGS)

test-unit: setup ## Só os testes sem broker / only the tests that need no broker
	@$(VENV)/bin/pytest -ra tests/unit $(PYTEST_ARGS)

lint: setup ## ruff (estilo) + lint-imports (camadas, pyproject.toml) / style and import layers
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/lint-imports --no-logo

clean: stop ## Apaga dados e logs (mantém os downloads) / delete data and logs, keep downloads
	@find .state -mindepth 1 -maxdepth 1 ! -name dist -exec rm -rf {} + 2>/dev/null || true
