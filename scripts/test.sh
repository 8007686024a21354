#!/usr/bin/env bash
# The whole test suite on a fresh machine: creates .venv, installs the project
# with its dev tools and Prism (npm, into ./node_modules), then runs every nox
# session: lint, typecheck, drift, tests, docs, build, contract, chaos, crash, airflow.
#
# With no arguments the airflow session (its own virtualenv, mostly download and
# install time) runs beside the others on the second core; its log is printed
# when it ends. Arguments go to nox as they are (`bash scripts/test.sh -s lint`).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
npm ci --no-audit --no-fund --loglevel=error
export PATH="$PWD/.venv/bin:$PATH"
if [ "$#" -gt 0 ]; then
    exec nox "$@"
fi

log="$(mktemp)"
nox -s airflow >"$log" 2>&1 &
airflow_pid=$!
trap 'kill "$airflow_pid" 2>/dev/null || true' EXIT
status=0
sessions="$(python -c 'import runpy; print(" ".join(runpy.run_path("noxfile.py")["MAIN_SESSIONS"]))')"
nox -s $sessions || status=$?
airflow_status=0
wait "$airflow_pid" || airflow_status=$?
trap - EXIT
echo "---- nox -s airflow (ran in parallel) ----"
cat "$log"
rm -f "$log"
if [ "$status" -ne 0 ] || [ "$airflow_status" -ne 0 ]; then
    echo "FAILED: main sessions exit $status, airflow session exit $airflow_status" >&2
    exit 1
fi
