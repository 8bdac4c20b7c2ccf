#!/usr/bin/env bash
# Local RabbitMQ and PostgreSQL for tests and the demo, on a machine without Docker.
#
#   deploy/local-services.sh start    install what is missing, start both, wait until they answer
#   deploy/local-services.sh env      print `export` lines: eval "$(deploy/local-services.sh env)"
#   deploy/local-services.sh status   say what runs (exit 0 when both run, 3 otherwise)
#   deploy/local-services.sh stop     stop what this script started, nothing else
#   deploy/local-services.sh browser  install Debian's chromium when missing (the dashboard's browser tests)
#
# Everything lives in one state folder (METRICPIPELINE_STATE, default /var/tmp/metricpipeline):
# data, logs, sockets and PID files. Both servers listen on 127.0.0.1 only. Nothing here relies
# on systemd: the servers are started as plain processes under their own users, because
# PostgreSQL refuses to run as root and RabbitMQ's files belong to the rabbitmq user.
set -euo pipefail

STATE="${METRICPIPELINE_STATE:-/var/tmp/metricpipeline}"
LOGS="$STATE/logs"
PG_DATA="$STATE/pg"
PG_SOCKETS="$STATE/pg-run"
RMQ_HOME="$STATE/rabbitmq"
RMQ_ENV_FILE="$RMQ_HOME/rabbitmq-env.conf"
PG_PREFERRED_PORT=5432
AMQP_PREFERRED_PORT=5672
DB_NAME=metricpipeline
DB_USER=metricpipeline
DB_PASSWORD=metricpipeline
START_TIMEOUT="${METRICPIPELINE_START_TIMEOUT:-120}"

say() { printf 'local-services: %s\n' "$*" >&2; }
die() { printf 'local-services: ERROR: %s\n' "$*" >&2; exit 1; }

# Prints the last lines of a log to stderr so a failure explains itself.
show_tail() {
  local file="$1"
  if [[ -f "$file" ]]; then
    printf -- '----- last lines of %s -----\n' "$file" >&2
    tail -n 40 "$file" >&2 || true
    printf -- '-----\n' >&2
  fi
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# First port at or above $1 that nothing listens on.
free_port_from() {
  local port="$1"
  while port_in_use "$port"; do port=$((port + 1)); done
  printf '%s\n' "$port"
}

# True when $1 is a live (not zombie) process, and when $2 is given, its command line contains
# $2: a PID file left from an earlier boot must not make us signal an unrelated process.
pid_alive() {
  local pid="${1:-}" pattern="${2:-}" state
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ "$state" != Z && -n "$state" ]] || return 1
  [[ -z "$pattern" ]] || tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$pattern"
}
read_file() { [[ -f "$1" ]] && cat "$1" || true; }

# Runs a short command as another user (from the state folder, which that user can enter).
as_user() {
  local user="$1"; shift
  local home
  home="$(getent passwd "$user" | cut -d: -f6)"
  (cd "$STATE" && HOME="$home" USER="$user" LOGNAME="$user" \
    setpriv --reuid="$user" --regid="$user" --init-groups -- "$@")
}

require_root() {
  [[ "$(id -u)" == 0 ]] || die "this script installs packages and runs the servers under their own users: run it as root (sudo $0 $*)"
}

# ---------------------------------------------------------------- packages

# apt-get install without starting anything: a package's postinst would otherwise try to
# start its service (and fail or bind to all interfaces). policy-rc.d exit 101 is the
# Debian-documented way to deny that; we add it only for the install and only if absent, and
# remove it even when the install is interrupted.
added_policy=""
remove_added_policy() { if [[ -n "$added_policy" ]]; then rm -f "$added_policy"; added_policy=""; fi; }
trap remove_added_policy EXIT

apt_install() {
  local policy=/usr/sbin/policy-rc.d rc=0
  mkdir -p "$LOGS"
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    added_policy="$policy"
  fi
  say "installing $* with apt-get (log: $LOGS/apt.log)"
  local install=(apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@")
  # Stale or missing package lists are the usual failure on a fresh machine: update, retry once.
  { DEBIAN_FRONTEND=noninteractive "${install[@]}" \
      || { apt-get -o DPkg::Lock::Timeout=300 update && DEBIAN_FRONTEND=noninteractive "${install[@]}"; }
  } >>"$LOGS/apt.log" 2>&1 || rc=$?
  remove_added_policy
  if [[ "$rc" != 0 ]]; then
    show_tail "$LOGS/apt.log"
    die "apt-get install $* failed (exit $rc); see $LOGS/apt.log"
  fi
}

# Newest installed PostgreSQL server, 15 or later; installs 15 when there is none.
pg_bin_dir() {
  local dir best="" best_major=0 major
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/postgres" && -x "$dir/initdb" ]] || continue
    major="$(basename "$(dirname "$dir")")"
    [[ "$major" =~ ^[0-9]+$ ]] || continue
    if (( major >= 15 && major > best_major )); then best="$dir"; best_major="$major"; fi
  done
  printf '%s\n' "$best"
}

ensure_postgres_installed() {
  if [[ -z "$(pg_bin_dir)" ]]; then
    apt_install postgresql-15
  fi
  [[ -n "$(pg_bin_dir)" ]] || die "no PostgreSQL 15+ server binaries under /usr/lib/postgresql/*/bin after installing postgresql-15"
  getent passwd postgres >/dev/null || die "user 'postgres' does not exist (the postgresql package should have created it)"
  # Distinct users are HyperLogLog sketches (the hll extension, Citus's postgresql-hll).
  local major
  major="$(basename "$(dirname "$(pg_bin_dir)")")"
  if [[ ! -f "/usr/share/postgresql/$major/extension/hll.control" ]]; then
    apt_install "postgresql-$major-hll"
  fi
  [[ -f "/usr/share/postgresql/$major/extension/hll.control" ]] || die "the hll extension is missing after installing postgresql-$major-hll"
}

ensure_rabbitmq_installed() {
  if [[ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
    apt_install rabbitmq-server
  fi
  [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || die "rabbitmq-server is not installed after apt-get install rabbitmq-server"
  getent passwd rabbitmq >/dev/null || die "user 'rabbitmq' does not exist (the rabbitmq-server package should have created it)"
}

# The dashboard's browser tests drive Debian's Chromium through Playwright (Playwright's own browser
# download needs hosts this machine cannot reach).
cmd_browser() {
  if [[ ! -x /usr/bin/chromium ]]; then
    require_root browser
    apt_install chromium
  fi
  [[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium is missing after apt-get install chromium"
}

# ---------------------------------------------------------------- RabbitMQ

rmq_pid() { read_file "$STATE/rabbitmq.pid"; }
rmq_port() { local p; p="$(read_file "$STATE/rabbitmq.port")"; printf '%s\n' "${p:-$AMQP_PREFERRED_PORT}"; }
rmq_mgmt_port() { local p; p="$(read_file "$STATE/rabbitmq-management.port")"; printf '%s\n' "${p:-15672}"; }

# The CLI tools find our node through the same env file the server read.
rmq_cli() {
  as_user rabbitmq env RABBITMQ_CONF_ENV_FILE="$RMQ_ENV_FILE" ERL_EPMD_ADDRESS=127.0.0.1 \
    "/usr/lib/rabbitmq/bin/$1" "${@:2}"
}

rmq_management_answers() {
  curl -fsS -o /dev/null --max-time 5 -u guest:guest "http://127.0.0.1:$(rmq_mgmt_port)/api/overview" 2>/dev/null
}

rmq_running() { pid_alive "$(rmq_pid)" rabbitmq; }

# One node name per AMQP port, so a second state folder (next free ports) can share epmd.
rmq_node_name() {
  if [[ "$1" == "$AMQP_PREFERRED_PORT" ]]; then printf 'rabbit@localhost\n'; else printf 'rabbit-%s@localhost\n' "$1"; fi
}

write_rabbitmq_config() {
  local amqp="$1" mgmt="$2"
  mkdir -p "$RMQ_HOME/mnesia" "$RMQ_HOME/log"
  cat > "$RMQ_HOME/rabbitmq.conf" <<EOF
# Written by deploy/local-services.sh: loopback only; guest/guest works on loopback.
listeners.tcp.default = 127.0.0.1:$amqp
management.tcp.ip = 127.0.0.1
management.tcp.port = $mgmt
loopback_users.guest = true
log.file.level = info
EOF
  printf '[rabbitmq_management].\n' > "$RMQ_HOME/enabled_plugins"
  # Read by the server and the CLI tools (rabbitmq-env sources it as shell).
  cat > "$RMQ_ENV_FILE" <<EOF
NODENAME=$(rmq_node_name "$amqp")
NODE_IP_ADDRESS=127.0.0.1
NODE_PORT=$amqp
DIST_PORT=$((amqp + 20000))
CONFIG_FILE=$RMQ_HOME/rabbitmq.conf
ENABLED_PLUGINS_FILE=$RMQ_HOME/enabled_plugins
MNESIA_BASE=$RMQ_HOME/mnesia
LOG_BASE=$RMQ_HOME/log
PID_FILE=$RMQ_HOME/beam.pid
SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
EOF
  chown -R rabbitmq:rabbitmq "$RMQ_HOME"
}

# epmd (Erlang's port mapper) binds every interface when Erlang starts it implicitly; we
# start it on loopback ourselves unless one already runs, and stop only the one we started.
start_epmd() {
  if port_in_use 4369; then return 0; fi
  setsid env ERL_EPMD_ADDRESS=127.0.0.1 setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups -- \
    epmd -address 127.0.0.1 >"$LOGS/epmd.log" 2>&1 </dev/null 9>&- &
  printf '%s\n' "$!" > "$STATE/epmd.pid"
  local i
  for i in $(seq 1 50); do port_in_use 4369 && return 0; sleep 0.1; done
  show_tail "$LOGS/epmd.log"
  die "epmd did not start listening on 127.0.0.1:4369"
}

start_rabbitmq() {
  ensure_rabbitmq_installed
  if rmq_running; then
    if rmq_management_answers; then
      say "RabbitMQ already running (pid $(rmq_pid), amqp 127.0.0.1:$(rmq_port), management 127.0.0.1:$(rmq_mgmt_port))"
      return 0
    fi
    say "RabbitMQ process $(rmq_pid) runs but does not answer yet; waiting for it"
    wait_for_rabbitmq
    return 0
  fi

  local amqp mgmt
  amqp="$(free_port_from "$AMQP_PREFERRED_PORT")"
  if [[ "$amqp" != "$AMQP_PREFERRED_PORT" ]]; then
    say "port $AMQP_PREFERRED_PORT is taken by a server this script did not start; RabbitMQ will use $amqp"
  fi
  mgmt="$(free_port_from $((amqp + 10000)))"
  [[ "$mgmt" == $((amqp + 10000)) ]] || say "management port $((amqp + 10000)) is taken; using $mgmt"
  printf '%s\n' "$amqp" > "$STATE/rabbitmq.port"
  printf '%s\n' "$mgmt" > "$STATE/rabbitmq-management.port"
  write_rabbitmq_config "$amqp" "$mgmt"
  start_epmd

  say "starting RabbitMQ on 127.0.0.1:$amqp (management 127.0.0.1:$mgmt; logs: $RMQ_HOME/log, $LOGS/rabbitmq.log)"
  # setsid: the server must outlive this script and not get the terminal's Ctrl-C.
  setsid env RABBITMQ_CONF_ENV_FILE="$RMQ_ENV_FILE" ERL_EPMD_ADDRESS=127.0.0.1 \
    HOME=/var/lib/rabbitmq setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups -- \
    /usr/lib/rabbitmq/bin/rabbitmq-server >"$LOGS/rabbitmq.log" 2>&1 </dev/null 9>&- &
  printf '%s\n' "$!" > "$STATE/rabbitmq.pid"
  wait_for_rabbitmq
}

wait_for_rabbitmq() {
  local deadline=$((SECONDS + START_TIMEOUT))
  while (( SECONDS < deadline )); do
    if ! rmq_running; then
      show_tail "$LOGS/rabbitmq.log"
      show_tail "$(ls -t "$RMQ_HOME"/log/*.log 2>/dev/null | head -n 1)"
      die "RabbitMQ exited during start-up (see $LOGS/rabbitmq.log and $RMQ_HOME/log)"
    fi
    if rmq_cli rabbitmqctl -q await_startup --timeout 10 >/dev/null 2>&1 && rmq_management_answers; then
      say "RabbitMQ is up (pid $(rmq_pid), amqp 127.0.0.1:$(rmq_port), management http://127.0.0.1:$(rmq_mgmt_port))"
      return 0
    fi
    sleep 2
  done
  show_tail "$LOGS/rabbitmq.log"
  show_tail "$(ls -t "$RMQ_HOME"/log/*.log 2>/dev/null | head -n 1)"
  die "RabbitMQ did not answer within ${START_TIMEOUT}s (see $LOGS/rabbitmq.log and $RMQ_HOME/log)"
}

stop_rabbitmq() {
  local pid beam
  pid="$(rmq_pid)"
  beam="$(read_file "$RMQ_HOME/beam.pid")"
  if pid_alive "$pid" rabbitmq; then
    say "stopping RabbitMQ (pid $pid)"
    # The launcher script turns TERM into a clean `rabbitmqctl stop` of its own node.
    kill -TERM "$pid" 2>/dev/null || true
    wait_for_exit "$pid" 60 || { pid_alive "$beam" && kill -TERM "$beam" 2>/dev/null; wait_for_exit "$pid" 20; } \
      || { say "RabbitMQ did not stop in time; killing pid $pid"; kill -KILL "$pid" 2>/dev/null || true; pid_alive "$beam" && kill -KILL "$beam" 2>/dev/null || true; }
  else
    say "RabbitMQ: not running (nothing of ours to stop)"
  fi
  rm -f "$STATE/rabbitmq.pid"
  local epmd
  epmd="$(read_file "$STATE/epmd.pid")"
  if pid_alive "$epmd" epmd && epmd -names 2>/dev/null | grep -q '^name '; then
    # Its PID file stays, so a later stop (when those nodes are gone) still stops it.
    say "leaving epmd (pid $epmd) running: other Erlang nodes are registered with it"
    return 0
  elif pid_alive "$epmd" epmd; then
    say "stopping epmd (pid $epmd)"
    kill -TERM "$epmd" 2>/dev/null || true
    wait_for_exit "$epmd" 10 || kill -KILL "$epmd" 2>/dev/null || true
  fi
  rm -f "$STATE/epmd.pid"
}

wait_for_exit() {
  local pid="$1" seconds="$2" i
  for i in $(seq 1 $((seconds * 5))); do
    pid_alive "$pid" || return 0
    sleep 0.2
  done
  ! pid_alive "$pid"
}

# ---------------------------------------------------------------- PostgreSQL

pg_port() { local p; p="$(read_file "$STATE/pg.port")"; printf '%s\n' "${p:-$PG_PREFERRED_PORT}"; }
pg_pid() { [[ -f "$PG_DATA/postmaster.pid" ]] && head -n 1 "$PG_DATA/postmaster.pid" || true; }
pg_running() { pid_alive "$(pg_pid)" postgres; }

pg_ready() {
  "$(pg_bin_dir)/pg_isready" -q -h 127.0.0.1 -p "$(pg_port)" -d postgres -t 5 >/dev/null 2>&1
}

pg_superuser_sql() {
  as_user postgres "$(pg_bin_dir)/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKETS" -p "$(pg_port)" -U postgres -d postgres "$@"
}

init_postgres() {
  local bin="$1"
  say "initialising a PostgreSQL cluster in $PG_DATA ($("$bin/postgres" --version))"
  mkdir -p "$PG_DATA"
  chown postgres:postgres "$PG_DATA"
  chmod 700 "$PG_DATA"
  if ! as_user postgres "$bin/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C \
      --auth-local=peer --auth-host=scram-sha-256 >"$LOGS/initdb.log" 2>&1; then
    show_tail "$LOGS/initdb.log"
    die "initdb failed; see $LOGS/initdb.log (remove $PG_DATA to retry from scratch)"
  fi
  printf "\ninclude_if_exists = 'metricpipeline.conf'\n" >> "$PG_DATA/postgresql.conf"
}

# Settings for a test machine: many connections (tests, Quartz), a useful buffer cache,
# and durability left ON because throughput is measured with fsync'd commits.
write_postgres_config() {
  local port="$1"
  cat > "$PG_DATA/metricpipeline.conf" <<EOF
# Written by deploy/local-services.sh at each start.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$PG_SOCKETS'
max_connections = 200
shared_buffers = 256MB
fsync = on
synchronous_commit = on
logging_collector = off
EOF
  chown postgres:postgres "$PG_DATA/metricpipeline.conf"
}

start_postgres() {
  ensure_postgres_installed
  local bin
  bin="$(pg_bin_dir)"
  mkdir -p "$PG_SOCKETS"
  chown postgres:postgres "$PG_SOCKETS"
  touch "$LOGS/postgres.log"
  chown postgres:postgres "$LOGS/postgres.log"

  if pg_running; then
    if pg_ready; then
      say "PostgreSQL already running (pid $(pg_pid), 127.0.0.1:$(pg_port))"
      ensure_database
      return 0
    fi
    say "PostgreSQL process $(pg_pid) runs but is not ready yet; waiting for it"
  else
    [[ -f "$PG_DATA/PG_VERSION" ]] || init_postgres "$bin"
    local port
    port="$(free_port_from "$PG_PREFERRED_PORT")"
    if [[ "$port" != "$PG_PREFERRED_PORT" ]]; then
      say "port $PG_PREFERRED_PORT is taken by a server this script did not start; PostgreSQL will use $port"
    fi
    printf '%s\n' "$port" > "$STATE/pg.port"
    write_postgres_config "$port"
    say "starting PostgreSQL on 127.0.0.1:$port (data: $PG_DATA, log: $LOGS/postgres.log)"
    # pg_ctl detaches the server itself; setsid keeps it out of this terminal's session.
    if ! setsid bash -c 'cd "$1" && HOME="$2" exec setpriv --reuid=postgres --regid=postgres --init-groups -- \
          "$3/pg_ctl" -D "$4" -l "$5" -w -t "$6" start' _ \
          "$STATE" "$(getent passwd postgres | cut -d: -f6)" "$bin" "$PG_DATA" "$LOGS/postgres.log" "$START_TIMEOUT" \
          >"$LOGS/pg_ctl.log" 2>&1 </dev/null 9>&-; then
      show_tail "$LOGS/pg_ctl.log"
      show_tail "$LOGS/postgres.log"
      die "PostgreSQL did not start (see $LOGS/postgres.log)"
    fi
  fi

  local deadline=$((SECONDS + START_TIMEOUT))
  until pg_ready; do
    if (( SECONDS >= deadline )) || ! pg_running; then
      show_tail "$LOGS/postgres.log"
      die "PostgreSQL is not accepting connections on 127.0.0.1:$(pg_port) (see $LOGS/postgres.log)"
    fi
    sleep 1
  done
  ensure_database
  say "PostgreSQL is up (pid $(pg_pid), 127.0.0.1:$(pg_port), database $DB_NAME, user $DB_USER)"
}

ensure_database() {
  if ! pg_superuser_sql >"$LOGS/psql.log" 2>&1 <<EOF
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
  ELSE
    ALTER ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
  END IF;
END
\$\$;
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME')\gexec
-- hll is not a trusted extension, so the application's role cannot create it: create it here as
-- the superuser, in template1 (every database created later has it) and in the project database.
\c template1
CREATE EXTENSION IF NOT EXISTS hll;
\c $DB_NAME
CREATE EXTENSION IF NOT EXISTS hll;
EOF
  then
    show_tail "$LOGS/psql.log"
    die "could not create role/database '$DB_NAME' (see $LOGS/psql.log)"
  fi
}

stop_postgres() {
  local pid
  pid="$(pg_pid)"
  if pid_alive "$pid" postgres && [[ -x "$(pg_bin_dir)/pg_ctl" ]]; then
    say "stopping PostgreSQL (pid $pid)"
    # pg_ctl signals exactly the postmaster recorded in our data folder's postmaster.pid.
    as_user postgres "$(pg_bin_dir)/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >>"$LOGS/pg_ctl.log" 2>&1 \
      || { say "pg_ctl stop failed; sending SIGQUIT to pid $pid"; kill -QUIT "$pid" 2>/dev/null || true; }
  else
    say "PostgreSQL: not running (nothing of ours to stop)"
  fi
}

# ---------------------------------------------------------------- commands

cmd_start() {
  require_root start
  command -v curl >/dev/null || apt_install curl
  command -v setpriv >/dev/null || die "setpriv (util-linux) is required"
  mkdir -p "$STATE" "$LOGS"
  chmod 755 "$STATE" "$LOGS"
  # Two starts at once (two terminals, two worktrees sharing the state folder) would race.
  # Every server launched below closes fd 9, or it would hold the lock for its whole life.
  exec 9>"$STATE/.lock"
  flock -w 300 9 || die "another start/stop holds $STATE/.lock"
  for user_check in postgres rabbitmq; do
    if getent passwd "$user_check" >/dev/null && ! as_user "$user_check" test -x "$STATE"; then
      die "user $user_check cannot enter $STATE: choose a METRICPIPELINE_STATE whose parent folders are world-traversable"
    fi
  done
  start_rabbitmq
  start_postgres
  say "ready; use: eval \"\$($0 env)\""
}

cmd_stop() {
  require_root stop
  [[ -d "$STATE" ]] || { say "nothing to stop: $STATE does not exist"; return 0; }
  exec 9>"$STATE/.lock"
  flock -w 300 9 || die "another start/stop holds $STATE/.lock"
  stop_postgres
  stop_rabbitmq
  say "stopped"
}

cmd_status() {
  local ok=0
  if rmq_running; then
    if rmq_management_answers; then
      printf 'rabbitmq: running (pid %s) amqp 127.0.0.1:%s management http://127.0.0.1:%s\n' "$(rmq_pid)" "$(rmq_port)" "$(rmq_mgmt_port)"
    else
      printf 'rabbitmq: process %s alive but management API not answering on 127.0.0.1:%s\n' "$(rmq_pid)" "$(rmq_mgmt_port)"; ok=3
    fi
  else
    printf 'rabbitmq: not running\n'; ok=3
  fi
  if pg_running && [[ -n "$(pg_bin_dir)" ]] && pg_ready; then
    printf 'postgres: running (pid %s) 127.0.0.1:%s data %s\n' "$(pg_pid)" "$(pg_port)" "$PG_DATA"
  elif pg_running; then
    printf 'postgres: process %s alive but not accepting connections on 127.0.0.1:%s\n' "$(pg_pid)" "$(pg_port)"; ok=3
  else
    printf 'postgres: not running\n'; ok=3
  fi
  printf 'state: %s\n' "$STATE"
  return "$ok"
}

cmd_env() {
  if [[ ! -f "$STATE/pg.port" || ! -f "$STATE/rabbitmq.port" ]]; then
    say "note: services were never started with state folder $STATE; printing default ports"
  fi
  printf "export ConnectionStrings__Postgres='Host=127.0.0.1;Port=%s;Database=%s;Username=%s;Password=%s'\n" \
    "$(pg_port)" "$DB_NAME" "$DB_USER" "$DB_PASSWORD"
  printf "export ConnectionStrings__RabbitMq='amqp://guest:guest@127.0.0.1:%s/'\n" "$(rmq_port)"
  printf "export METRICPIPELINE_RABBITMQ_MANAGEMENT='http://guest:guest@127.0.0.1:%s'\n" "$(rmq_mgmt_port)"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  browser) cmd_browser ;;
  *)
    printf 'usage: %s start|stop|status|env|browser\n' "$0" >&2
    printf '  state folder: %s (set METRICPIPELINE_STATE to change)\n' "$STATE" >&2
    exit 2
    ;;
esac
