#!/usr/bin/env bash
# The demo: local RabbitMQ and PostgreSQL, the server with every role, the example metric tree
# from seeds/, a stream of simulated telemetry, and the North Star's rolled-up history.
#
# The server then keeps running in the foreground (Ctrl-C stops it; RabbitMQ and PostgreSQL stay
# up: `deploy/local-services.sh stop` stops them). DEMO_EXIT=1 stops the server and exits after
# printing instead.
#
# Optional settings:
#   METRICPIPELINE_DEMO_URL   where the server listens (default http://127.0.0.1:5080)
#   DEMO_SIMULATE_ARGS        extra arguments for `metricpipe simulate` (e.g. "--speed 0")
#   DEMO_HISTORY_ARGS         extra arguments for `metricpipe history` (e.g. "--grain day")
#   DEMO_METRIC               metric to show (default: the north_star of seeds/metrics.yaml)
#   DEMO_DATABASE             run on this database instead of the default one (created by the server; a new name
#                             gives a fresh demo)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
url="${METRICPIPELINE_DEMO_URL:-http://127.0.0.1:5080}"
ingest_key="demo-ingest-key"
admin_key="demo-admin-key"
logs="$root/.local/demo"
server_log="$logs/server.log"
cli_dll="$root/src/MetricPipeline.Cli/bin/Release/net10.0/metricpipe.dll"
server_pgid=""
tail_pid=""

say() { printf 'demo: %s\n' "$*" >&2; }
fail() {
  printf 'demo: FAILED at step "%s": %s\n' "$step" "$*" >&2
  exit 1
}
show_server_log() {
  if [[ -f "$server_log" ]]; then
    printf -- '----- last lines of %s -----\n' "$server_log" >&2
    tail -n 40 "$server_log" >&2 || true
    printf -- '-----\n' >&2
  fi
}
server_alive() { [[ -n "$server_pgid" ]] && kill -0 -- "-$server_pgid" 2>/dev/null; }

# Stops the server this script started: its own process group (dotnet run and the app it runs).
stop_server() {
  if [[ -n "$tail_pid" ]]; then kill "$tail_pid" 2>/dev/null || true; tail_pid=""; fi
  if server_alive; then
    say "stopping the server (process group $server_pgid)"
    kill -TERM -- "-$server_pgid" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do server_alive || break; sleep 0.2; done
    server_alive && kill -KILL -- "-$server_pgid" 2>/dev/null || true
  fi
  server_pgid=""
}
trap stop_server EXIT
trap 'say "interrupted"; exit 130' INT TERM

metricpipe() { dotnet "$cli_dll" --server "$url" "$@"; }

# The key of the first metric whose role is north_star in a registry document. Plain awk (no YAML
# library on a fresh machine): items are the `- ` lines at the indentation of the first item
# under `metrics:`, and `key:`/`role:` are read at that item's own level only.
north_star_key() {
  awk '
    function value(line) { sub(/^[^:]*:[[:space:]]*/, "", line); sub(/[[:space:]]+#.*/, "", line); gsub(/["\047[:space:]]/, "", line); return line }
    function field(line, name) { return line ~ ("^" name ":") }
    /^metrics:/ { inlist = 1; item = -1; next }
    !inlist || /^[[:space:]]*(#|$)/ { next }
    {
      match($0, /^ */); indent = RLENGTH; body = substr($0, indent + 1)
      if (item < 0 && body ~ /^- /) item = indent
      if (indent < item || (indent == 0 && body !~ /^- /)) { inlist = 0; next }
      if (indent == item && body ~ /^- /) { key = ""; role = ""; match(body, /^- +/); fieldindent = item + RLENGTH; body = substr(body, RLENGTH + 1) }
      else if (indent != fieldindent) next
      if (field(body, "key")) key = value(body)
      if (field(body, "role")) role = value(body)
      if (key != "" && role == "north_star") { print key; exit }
    }
  ' "$1"
}

step="check prerequisites"
command -v dotnet >/dev/null 2>&1 || fail "the .NET SDK (dotnet) is not on PATH; install the .NET 10 SDK (see global.json)"
command -v curl >/dev/null 2>&1 || fail "curl is not installed (apt-get install -y curl)"
for f in seeds/metrics.yaml seeds/scenario.yaml; do
  [[ -f "$f" ]] || fail "$f is missing: the demo applies the example registry and scenario from seeds/"
done
metric="${DEMO_METRIC:-$(north_star_key seeds/metrics.yaml)}"
[[ -n "$metric" ]] || fail "seeds/metrics.yaml has no metric with role: north_star (set DEMO_METRIC=<key> to pick one)"
port="${url##*:}"; port="${port%%/*}"
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  fail "something already listens on port $port: stop it, or set METRICPIPELINE_DEMO_URL=http://127.0.0.1:<free port>"
fi
mkdir -p "$logs"

step="start RabbitMQ and PostgreSQL"
say "$step"
deploy/local-services.sh start || fail "deploy/local-services.sh start failed (its message is above)"
eval "$(deploy/local-services.sh env)"
if [[ -n "${DEMO_DATABASE:-}" ]]; then
  # A fresh demo: its own database (the server creates and migrates it), nothing left from an earlier run.
  [[ "$DEMO_DATABASE" =~ ^[a-z_][a-z0-9_]*$ ]] || fail "DEMO_DATABASE must be a plain lower-case name, got '$DEMO_DATABASE'"
  export ConnectionStrings__Postgres="$(sed "s/Database=[^;]*/Database=$DEMO_DATABASE/" <<<"$ConnectionStrings__Postgres")"
  say "using database $DEMO_DATABASE"
fi

step="build the server and the CLI"
say "$step (Release)"
dotnet build src/MetricPipeline.Server/MetricPipeline.Server.csproj -c Release -v minimal --nologo \
  || fail "the server does not build (errors above)"
dotnet build src/MetricPipeline.Cli/MetricPipeline.Cli.csproj -c Release -v minimal --nologo \
  || fail "the CLI does not build (errors above)"
[[ -f "$cli_dll" ]] || fail "$cli_dll was not produced by the build"

step="start the server"
say "$step at $url (roles: all; log: $server_log)"
# setsid: the server gets its own process group, so Ctrl-C reaches this script (which then
# stops exactly that group) and the server's PID is known.
# The simulation replays three weeks in minutes: a scheduled pass in the middle of it would read days that are
# still arriving. The demo runs its pass once the telemetry is in (the step after the simulation).
setsid env Roles=all Detector__Enabled="${DEMO_SCHEDULED_DETECTION:-false}" \
  Auth__IngestKeys__0="$ingest_key" Auth__AdminKeys__0="$admin_key" \
  ASPNETCORE_URLS="$url" \
  dotnet run --project src/MetricPipeline.Server -c Release --no-build --no-launch-profile -- --urls "$url" \
  >"$server_log" 2>&1 </dev/null &
server_pgid=$!

step="wait for GET /readyz"
say "$step"
ready_timeout="${DEMO_READY_TIMEOUT:-180}"
deadline=$((SECONDS + ready_timeout))
until curl -fsS -o /dev/null --max-time 5 "$url/readyz" 2>/dev/null; do
  if ! server_alive; then show_server_log; fail "the server exited before it was ready"; fi
  if (( SECONDS >= deadline )); then
    show_server_log
    printf 'GET %s/readyz answered: ' "$url" >&2
    curl -sS --max-time 5 -w ' (HTTP %{http_code})\n' "$url/readyz" >&2 || true
    fail "$url/readyz did not answer 2xx within ${ready_timeout} s (Postgres and RabbitMQ must be reachable)"
  fi
  sleep 1
done
say "server is ready"

step="apply seeds/metrics.yaml"
say "$step"
metricpipe --key "$admin_key" metrics apply -f seeds/metrics.yaml || fail "metricpipe metrics apply failed (message above)"

step="simulate telemetry from seeds/scenario.yaml"
say "$step"
# shellcheck disable=SC2086 # DEMO_SIMULATE_ARGS is a list of words on purpose
metricpipe --key "$ingest_key" simulate --scenario seeds/scenario.yaml ${DEMO_SIMULATE_ARGS:-} 2> >(tee "$logs/simulate.err" >&2) \
  || fail "metricpipe simulate failed (message above)"

step="wait for the rollup worker"
say "$step"
# Ingest answers 202 once the broker has the events; the worker counts them moments later.
# Done when the rollup queue is empty and nothing is unacknowledged.
mgmt="${METRICPIPELINE_RABBITMQ_MANAGEMENT:-http://guest:guest@127.0.0.1:15672}"
deadline=$((SECONDS + ${DEMO_ROLLUP_TIMEOUT:-900}))
while :; do
  depth="$(curl -fsS --max-time 5 "$mgmt/api/queues/%2F/rollup" 2>/dev/null \
    | python3 -c 'import json,sys; q=json.load(sys.stdin); print(q.get("messages",0)+q.get("messages_unacknowledged",0))' 2>/dev/null || echo "?")"
  [[ "$depth" == 0 ]] && break
  if (( SECONDS >= deadline )); then
    say "the rollup queue still holds $depth messages; showing what is counted so far"
    break
  fi
  say "  $depth messages (each up to 1,000 events) still to roll up"
  sleep 5
done

step="print the history of $metric"
say "$step"
# shellcheck disable=SC2086
from_day="$(date -u -d '-22 days' +%Y-%m-%dT00:00:00Z)"
# shellcheck disable=SC2086
metricpipe history "$metric" --grain day --from "$from_day" --format table ${DEMO_HISTORY_ARGS:-} || fail "metricpipe history failed (message above)"
say "the same, plan=free only (the scenario's model rollout hurts this segment):"
# shellcheck disable=SC2086
metricpipe history "$metric" --grain day --from "$from_day" --segment plan:free --format table ${DEMO_HISTORY_ARGS:-} \
  || fail "metricpipe history failed (message above)"

step="tag the model deployment and run a detection pass"
# The scenario's model rollout: simulate printed "effect '…rollout' at <time>"; CI would call the same command.
rollout_at="$(sed -n "s/^effect '[^']*rollout' at \([^ ]*\) .*/\1/p" "$logs/simulate.err" | head -n 1)"
[[ -n "$rollout_at" ]] || fail "simulate printed no rollout effect time (see $logs/simulate.err)"
say "$step (assistant-model v8 at $rollout_at)"
metricpipe --key "$admin_key" deploy --service assistant-model --version v8 --kind model --at "$rollout_at" \
  --product assistant --description "Switch the assistant's default model from v7 to v8" \
  || fail "metricpipe deploy failed (message above)"
curl -fsS --max-time 300 -X POST -H "Authorization: Bearer $admin_key" "$url/v1/detector/run" >/dev/null \
  || fail "POST /v1/detector/run failed (see $server_log)"
say "open alerts (the North Star's drop names the deployment; GET $url/v1/alerts has the details):"
metricpipe alerts --status open || fail "metricpipe alerts failed (message above)"

cat >&2 <<EOF

demo: done. The server runs at $url (roles: all).
  ingest key: $ingest_key   admin key: $admin_key
  try:  dotnet $cli_dll history $metric --format table
        dotnet $cli_dll alerts --status open
        curl -s $url/v1/metrics/$metric/tree
  server log: $server_log
  RabbitMQ and PostgreSQL stay up after the demo; stop them with: deploy/local-services.sh stop
EOF

if [[ "${DEMO_EXIT:-0}" == 1 ]]; then
  exit 0
fi

step="serve"
say "server log follows; Ctrl-C stops the server"
tail -n 0 -f "$server_log" &
tail_pid=$!
while server_alive; do sleep 1; done
show_server_log
fail "the server stopped"
