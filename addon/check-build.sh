#!/usr/bin/env bash
# Proves the add-on image's build steps work without a Docker engine: runs addon/build.sh (what
# addon/homeiq/Dockerfile runs) in a clean copy of the committed tree, then starts `homeiq addon-run` there as
# the container would (a /data-like folder with options.json, a SUPERVISOR_TOKEN) and asks the dashboard for
# /health and the page. Home Assistant is unreachable here, so HA_URL points nowhere. Run from the repository root.
set -euo pipefail
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

git archive --format=tar HEAD | tar -x -C "$work"
cd "$work"
echo "== build steps: sh addon/build.sh"
sh addon/build.sh

mkdir -p "$work/data"
echo '{"log_level":"warn","retention_days":30,"batch_size":500,"include_domains":[],"include_entities":[],"exclude_domains":[],"exclude_entities":[]}' >"$work/data/options.json"
port=18499
env HOMEIQ_ADDON_DATA="$work/data" SUPERVISOR_TOKEN=build-check-token HA_URL=http://127.0.0.1:9 HA_TOKEN=unused \
  HOMEIQ_HOST=127.0.0.1 HEALTH_DASHBOARD_PORT=$port DASHBOARD_BUILD=never NODE_ENV=production \
  node bin/homeiq.js addon-run >"$work/addon.log" 2>&1 &
ok=""
for _ in $(seq 1 300); do
  page=$(node -e "fetch('http://127.0.0.1:$port/').then(r=>r.text()).then(t=>console.log(t.includes('<base href=\"/\" />')?'ok':'no'),()=>console.log('down'))")
  if [ "$page" = ok ]; then ok=1; break; fi
  sleep 0.2
done
if [ -z "$ok" ]; then echo "the add-on's dashboard did not answer" >&2; cat "$work/addon.log" >&2; exit 1; fi
echo "add-on build OK: homeiq addon-run serves the built dashboard"
