#!/usr/bin/env bash
# Runs every test: typecheck, lint, unit and integration (vitest), and the browser journeys.
# Installs the Debian tools the tests drive (LibreOffice for recalculation, Chromium for Playwright)
# when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${need[*]} from Debian's packages"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1
node scripts/check-licenses.mjs
pnpm exec prettier --check . --log-level warn
# Three tasks at a time: the machine has 2 cores, and LibreOffice, DuckDB and worker-thread tests each want one.
pnpm exec turbo run typecheck lint test --log-order=grouped --concurrency=3
if grep -q '"e2e"' apps/*/package.json 2>/dev/null; then
  pnpm exec turbo run e2e --log-order=grouped
fi
