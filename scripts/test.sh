#!/usr/bin/env bash
# The whole test suite on a fresh machine: creates .venv, installs the project
# with its dev tools and Prism (npm, into ./node_modules), then runs every nox
# session: lint, typecheck, drift, tests, docs, build, contract, chaos, airflow.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
npm ci --no-audit --no-fund --loglevel=error
export PATH="$PWD/.venv/bin:$PATH"
exec nox "$@"
