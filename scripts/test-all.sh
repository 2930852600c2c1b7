#!/usr/bin/env bash
# Runs every test of the workspace. Installs first what the tests need and a fresh
# machine lacks: the Python reference implementations (oracles: cvss, univers) in a venv,
# and cargo-deny for the supply-chain check.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r scripts/oracle-requirements.txt
export MEDSEC_ORACLE_PYTHON="$PWD/.venv/bin/python"

# Our own supply chain: licences, banned crates and sources (deny.toml). The advisory
# check needs a database from a host these machines cannot reach; see deny.toml.
if ! command -v cargo-deny >/dev/null 2>&1; then
  cargo install --locked cargo-deny
fi
cargo deny --log-level error check licenses bans sources

cargo test --workspace --locked
