#!/bin/sh
# The build stage of every HomeIQ image, as one script: Docker runs it in deploy/Dockerfile, and CI runs it
# as a plain script (deploy/test) to prove the images' build works on machines without a Docker engine.
# Usage: deploy/build.sh <service> [service ...]   (run from the repository root)
set -eu
npm ci --no-audit --no-fund
node scripts/build-service.mjs "$@"
# Runtime images carry production dependencies only.
npm prune --omit=dev --no-audit --no-fund
