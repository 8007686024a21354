#!/usr/bin/env bash
# The main job on a fresh machine: creates .venv, installs the client with its
# CLI and sandbox extras, and runs a Deep Search against the local sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[all]'
exec .venv/bin/extruct-deep-search demo "$@"
