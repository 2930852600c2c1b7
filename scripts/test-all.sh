#!/usr/bin/env bash
# Runs every test of the workspace. Installs first what the tests need and a fresh
# machine lacks: the Python reference implementations (oracles: cvss, univers) in a venv,
# PostgreSQL's server binaries (the store's tests start a throwaway cluster as an
# unprivileged user), poppler-utils (the PDF tests render pages and extract text) and
# cargo-deny for the supply-chain check; Chromium, Node.js and npm for the browser test
# of the web interface.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r scripts/oracle-requirements.txt
export MEDSEC_ORACLE_PYTHON="$PWD/.venv/bin/python"

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then APT=(apt-get); else APT=(sudo apt-get); fi
  DEBIAN_FRONTEND=noninteractive "${APT[@]}" update -q
  DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -q postgresql
fi

# poppler-utils: the PDF writer's tests render the pages with pdftoppm and extract the
# text with pdftotext (crates/medsec-report/tests/pdf.rs); they fail without it.
if ! command -v pdftoppm >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then APT=(apt-get); else APT=(sudo apt-get); fi
  DEBIAN_FRONTEND=noninteractive "${APT[@]}" update -q
  DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -q poppler-utils
fi

# The browser test of the web interface (crates/medsec-web/tests/browser.rs) drives
# Debian's headless Chromium with playwright-core from npm (never a downloaded browser);
# it fails without them.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1 || [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then APT=(apt-get); else APT=(sudo apt-get); fi
  DEBIAN_FRONTEND=noninteractive "${APT[@]}" update -q
  DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -q chromium nodejs npm
fi
(cd crates/medsec-web/tests/browser && npm ci --no-audit --no-fund --prefer-offline)

# Our own supply chain: licences, banned crates and sources (deny.toml). The advisory
# check needs a database from a host these machines cannot reach; see deny.toml.
if ! command -v cargo-deny >/dev/null 2>&1; then
  cargo install --locked cargo-deny
fi
cargo deny --log-level error check licenses bans sources

cargo test --workspace --locked
