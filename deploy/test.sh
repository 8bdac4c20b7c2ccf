#!/usr/bin/env bash
# The test command: real PostgreSQL and RabbitMQ, then every test in MetricPipeline.sln.
#
# Where the servers come from, in this order:
#   1. ConnectionStrings__Postgres and ConnectionStrings__RabbitMq already set: used as given;
#   2. a reachable Docker engine (`docker info` succeeds): the tests start Testcontainers
#      (METRICPIPELINE_USE_TESTCONTAINERS=1);
#   3. otherwise deploy/local-services.sh installs and starts local servers on 127.0.0.1.
#
# Results: TRX files in TestResults/ (or METRICPIPELINE_TEST_RESULTS); the last line printed is
# `N passed, N failed[, N skipped]`. Exits non-zero when a test failed, the build failed, or no
# test ran at all. Extra arguments go to `dotnet test` (e.g. --filter FullyQualifiedName~Stl).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
results="${METRICPIPELINE_TEST_RESULTS:-$root/TestResults}"

say() { printf 'test: %s\n' "$*" >&2; }

if [[ -n "${ConnectionStrings__Postgres:-}" && -n "${ConnectionStrings__RabbitMq:-}" ]]; then
  say "using the servers named by ConnectionStrings__Postgres and ConnectionStrings__RabbitMq"
elif command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then
  say "a Docker engine is reachable: the tests start their own servers with Testcontainers"
  export METRICPIPELINE_USE_TESTCONTAINERS=1
else
  say "no Docker engine and no connection strings: starting local servers (deploy/local-services.sh)"
  deploy/local-services.sh start
  eval "$(deploy/local-services.sh env)"
fi

if [[ -z "${METRICPIPELINE_CHROMIUM:-}" ]]; then
  deploy/local-services.sh browser
fi

command -v dotnet >/dev/null 2>&1 || { say "ERROR: the .NET SDK (dotnet) is not on PATH; install .NET 10 SDK (see global.json)"; exit 1; }

# The Segment client test drives the real @segment/analytics-node from npm (tests/segment-client,
# installed there by `npm ci` from its lock file), so it needs Node.js (20 or newer) and npm.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  say "Node.js or npm is missing: installing Debian's nodejs and npm"
  apt=(apt-get -o DPkg::Lock::Timeout=300)
  [[ "$(id -u)" == 0 ]] || apt=(sudo -n "${apt[@]}")
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends nodejs npm \
    || { "${apt[@]}" update && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends nodejs npm; }
fi
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
(( node_major >= 20 )) || say "WARNING: Node.js $(node --version 2>/dev/null) is older than 20, which @segment/analytics-node 3 asks for"

rm -rf "$results"
mkdir -p "$results"
# The browser tests keep their screenshots in $results/screenshots.
export METRICPIPELINE_TEST_RESULTS="$results"

say "dotnet test MetricPipeline.sln -c Release (TRX files in $results)"
status=0
# LogFilePrefix (not LogFileName) makes VSTest add framework and timestamp, so the TRX files of
# the solution's test projects do not overwrite each other.
dotnet test MetricPipeline.sln -c Release -v minimal --nologo \
  --results-directory "$results" \
  --logger "trx;LogFilePrefix=results" \
  --logger "console;verbosity=minimal" \
  "$@" || status=$?

# Sum the <Counters> of every TRX file. VSTest leaves notExecuted at 0 for skipped xunit tests
# (they appear only as outcome="NotExecuted" results), so skipped = total - executed.
shopt -s nullglob
trx_files=("$results"/*.trx)
shopt -u nullglob
passed=0 failed=0 skipped=0 total=0
if (( ${#trx_files[@]} > 0 )); then
  read -r total passed failed skipped < <(
    sed -n 's/.*<Counters \([^>]*\)\/\?>.*/\1/p' "${trx_files[@]}" | awk '
      {
        for (i = 1; i <= NF; i++) {
          split($i, kv, "="); gsub(/"/, "", kv[2]);
          c[kv[1]] += kv[2];
        }
      }
      END {
        bad = c["failed"] + c["error"] + c["timeout"] + c["aborted"];
        skipped = c["total"] - c["executed"];
        if (skipped < 0) skipped = 0;
        printf "%d %d %d %d\n", c["total"], c["passed"], bad, skipped;
      }')
fi

if (( status != 0 && total == 0 )); then
  say "ERROR: dotnet test failed (exit $status) and no test ran: see the build errors above"
elif (( total == 0 )); then
  say "ERROR: no tests ran: the solution's test projects contain no tests (or the filter matched none)"
fi

if (( skipped > 0 )); then
  printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
else
  printf '%d passed, %d failed\n' "$passed" "$failed"
fi

if (( status != 0 || failed > 0 || passed + failed == 0 )); then
  exit 1
fi
