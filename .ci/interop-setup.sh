#!/usr/bin/env bash
# System packages for the interop e2e tests (test/e2e/interop-*.test.ts):
#   - Radicale, the CalDAV server caldav-mcp talks to (Debian's python3-radicale);
#   - Dovecot IMAP (dovecot-imapd), where mcp-mail-server files a copy of every message it sends. The
#     tests start it themselves, unprivileged on a loopback port with a throwaway config
#     (test/interop/dovecot.ts); the package's own system service is not needed and is stopped.
# Idempotent: installs only what is missing. The npm side (@codefuturist/email-mcp, caldav-mcp,
# @twilio-alpha/mcp, mcp-mail-server, resend-mcp, smtp-server, mailparser) comes from package.json
# devDependencies via `npm ci`.
#
# Debian's packages live under /usr/bin/python3; a python3 earlier on PATH (pyenv shim) may not see
# them, so the tests spawn /usr/bin/python3 explicitly and this script checks that one.
set -euo pipefail

PY=/usr/bin/python3
need=()
if [ -x "$PY" ] && "$PY" -c 'import radicale' 2>/dev/null; then
  echo "interop-setup: radicale $("$PY" -c 'import radicale; print(radicale.VERSION)' 2>/dev/null || echo '?') already installed"
else
  need+=(radicale)
fi
if [ -x /usr/sbin/dovecot ] && [ -e /usr/lib/dovecot/imap ]; then
  echo "interop-setup: dovecot $(/usr/sbin/dovecot --version 2>/dev/null | cut -d' ' -f1) already installed"
else
  need+=(dovecot-imapd)
fi
[ ${#need[@]} -eq 0 ] && exit 0

SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
$SUDO apt-get update -qq
# policy-rc.d 101: do not start the packaged services (the tests run their own on loopback).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"

"$PY" -c 'import radicale' || { echo "interop-setup: radicale installed but $PY cannot import it" >&2; exit 1; }
[ -x /usr/sbin/dovecot ] || { echo "interop-setup: dovecot-imapd installed but /usr/sbin/dovecot is missing" >&2; exit 1; }
echo "interop-setup: installed ${need[*]}"
