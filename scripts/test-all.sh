#!/usr/bin/env bash
# Runs every test of the workspace. Installs first what the tests need and a fresh
# machine lacks: the Python reference implementations (oracles) in a venv.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r scripts/oracle-requirements.txt
export MEDSEC_ORACLE_PYTHON="$PWD/.venv/bin/python"

cargo test --workspace --locked
