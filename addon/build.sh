#!/bin/sh
# The add-on image's build steps as one script: addon/homeiq/Dockerfile runs it, and addon/test runs it in a
# clean copy of the repository to prove the steps work without a Docker engine.
# Run from the repository root. The add-on runs HomeIQ from its TypeScript sources (`node bin/homeiq.js`,
# compiled on the fly by tsx), so development dependencies stay installed.
set -eu
npm ci --no-audit --no-fund
npm run build --workspace @homeiq/health-dashboard
test -f services/health-dashboard/dist/index.html
