#!/usr/bin/env bash
# System package for the scale-out e2e test (test/e2e/scale-out.test.ts): Debian's nginx, the load
# balancer in front of three `serve --http` replicas. The test runs it itself from a throwaway config
# (test/helpers/nginx.ts); the package's own service is not needed and is not started.
# Idempotent: installs only what is missing.
set -euo pipefail
if [ -x /usr/sbin/nginx ]; then
  echo "scale-out-setup: $(/usr/sbin/nginx -v 2>&1) already installed"
  exit 0
fi
SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
$SUDO apt-get update -qq
# policy-rc.d 101: do not start the packaged service (the test runs its own on loopback).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx
[ -x /usr/sbin/nginx ] || { echo "scale-out-setup: nginx installed but /usr/sbin/nginx is missing" >&2; exit 1; }
echo "scale-out-setup: installed $(/usr/sbin/nginx -v 2>&1)"
