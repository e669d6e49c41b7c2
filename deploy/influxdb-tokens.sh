#!/bin/sh
# Creates the per-service InfluxDB 2.x tokens and prints them as .env lines:   deploy/influxdb-tokens.sh >> .env
# Run once from the repository root, after INFLUXDB_ADMIN_TOKEN and INFLUXDB_ADMIN_PASSWORD are set in .env.
# Least privilege (SECURITY.md): every token is limited to the one bucket; the operator token never leaves the
# influxdb container. InfluxDB 2.x generates token values itself, which is why this is a step and not config.
set -eu

# The service tokens do not exist yet; stand-ins let compose read its file to start influxdb alone.
export INFLUXDB_WRITER_TOKEN="${INFLUXDB_WRITER_TOKEN:-pending}"
export INFLUXDB_READER_TOKEN="${INFLUXDB_READER_TOKEN:-pending}"
export INFLUXDB_RETENTION_TOKEN="${INFLUXDB_RETENTION_TOKEN:-pending}"

docker compose up -d --wait influxdb >&2

# Runs inside the influxdb container, where the operator token is already in the environment.
docker compose exec -T influxdb sh -eu -c '
  admin="$DOCKER_INFLUXDB_INIT_ADMIN_TOKEN"
  org="$DOCKER_INFLUXDB_INIT_ORG"
  value() { sed -n "s/^ *\"$1\": *\"\([^\"]*\)\".*/\1/p" | head -n 1; }
  bucket=$(influx bucket list --token "$admin" --org "$org" --name "$DOCKER_INFLUXDB_INIT_BUCKET" --json | value id)
  token() {
    name=$1
    shift
    influx auth create --token "$admin" --org "$org" --description "homeiq-$name" "$@" --json | value token
  }
  echo "INFLUXDB_WRITER_TOKEN=$(token writer --read-bucket "$bucket" --write-bucket "$bucket")"
  echo "INFLUXDB_READER_TOKEN=$(token reader --read-bucket "$bucket")"
  echo "INFLUXDB_RETENTION_TOKEN=$(token retention --read-bucket "$bucket" --write-bucket "$bucket")"
'
