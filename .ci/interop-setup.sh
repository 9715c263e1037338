#!/usr/bin/env bash
# System packages for the interop e2e tests (test/e2e/interop-*.test.ts): Radicale, the CalDAV server
# caldav-mcp talks to. Idempotent: installs nothing when Debian's python3 already imports radicale.
# The npm side (@codefuturist/email-mcp, caldav-mcp, smtp-server, mailparser) comes from
# package.json devDependencies via `npm ci`.
#
# Debian's packages live under /usr/bin/python3; a python3 earlier on PATH (pyenv shim) may not see
# them, so the tests spawn /usr/bin/python3 explicitly and this script checks that one.
set -euo pipefail

PY=/usr/bin/python3
if [ -x "$PY" ] && "$PY" -c 'import radicale' 2>/dev/null; then
  echo "interop-setup: radicale $("$PY" -c 'import radicale; print(radicale.VERSION)' 2>/dev/null || echo '?') already installed"
  exit 0
fi

SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq radicale

"$PY" -c 'import radicale' || { echo "interop-setup: radicale installed but $PY cannot import it" >&2; exit 1; }
echo "interop-setup: radicale installed"
