# Shared parts of the benchmark scripts (relay.sh, pool.sh): finding or installing the tools,
# free ports, starting PostgreSQL, PgBouncer and pgwarden in a temporary directory, stopping all of
# them on exit, and the small numeric helpers of the reports. Sourced, never run; the sourcing
# script sets BENCH_NAME (the prefix of its log lines) and `set -euo pipefail` first.
#
# Sourcing it finds the tools (installing missing Debian packages as root), installs the cleanup
# trap and creates the work directory $work_dir. Everything started through these functions is
# stopped in reverse order on exit, also on failure or Ctrl-C; the work directory is removed
# unless KEEP_WORK_DIR=1 (to read the logs of every run afterwards).

# shellcheck shell=bash

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo_dir=$(cd "$bench_dir/.." && pwd -P)
DB=bench
DB_USER=bench

log() { printf '%s %s: %s\n' "$(date -u +%H:%M:%S)" "$BENCH_NAME" "$*" >&2; }
die() { log "error: $*"; exit 1; }

require_positive() { # names of variables that must hold positive integers
    local setting
    for setting in "$@"; do
        [[ ${!setting} =~ ^[0-9]+$ && ${!setting} -gt 0 ]] || die "$setting must be a positive integer"
    done
}

# ---------------------------------------------------------------------------------------------
# Tools

install_packages() {
    [[ $EUID -eq 0 ]] || die "PostgreSQL, pgbench or PgBouncer missing; install postgresql postgresql-client pgbouncer (needs root)"
    command -v apt-get >/dev/null || die "PostgreSQL, pgbench or PgBouncer missing and apt-get is not available"
    log "installing postgresql postgresql-client pgbouncer from Debian packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client pgbouncer >/dev/null
}

find_pg_bindir() { # the highest installed major version
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        if [[ -x $dir/initdb ]]; then printf "%s\n" "$dir"; fi
    done | sort -V | tail -n 1
}

PG_BINDIR=${PG_BINDIR:-$(find_pg_bindir)}
if [[ -z $PG_BINDIR || ! -x $PG_BINDIR/pgbench || ! -x $PG_BINDIR/psql ]] || ! command -v pgbouncer >/dev/null; then
    install_packages
    PG_BINDIR=$(find_pg_bindir)
fi
[[ -x $PG_BINDIR/initdb && -x $PG_BINDIR/pgbench ]] || die "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
PGBOUNCER=$(command -v pgbouncer) || die "pgbouncer not found"

if [[ -n ${JAVA_HOME:-} ]]; then JAVA=$JAVA_HOME/bin/java; else JAVA=$(command -v java || true); fi
[[ -n $JAVA && -x $JAVA ]] || die "java not found; set JAVA_HOME or put java 17+ on the PATH"

if [[ -z ${PGWARDEN_HOME:-} ]]; then
    for candidate in "$repo_dir"/distribution/target/pgwarden-*/; do
        [[ -x $candidate/bin/pgwarden ]] && PGWARDEN_HOME=${candidate%/}
    done
fi
[[ -n ${PGWARDEN_HOME:-} && -x $PGWARDEN_HOME/bin/pgwarden ]] \
    || die "no built distribution; run 'mvn -q -o package -DskipTests' in $repo_dir first"

# As root, the servers run as the postgres user (initdb, postgres and pgbouncer refuse root).
SERVICE_USER=$(id -un)
if [[ $EUID -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' user (created by the postgresql package)"
    SERVICE_USER=postgres
fi
as_service() {
    if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# ---------------------------------------------------------------------------------------------
# Cleanup: whatever was started is stopped, in reverse order, and the temp directory removed.

work_dir=
pg_data=
pgwarden_pid= # the pgwarden started last
pgwarden_pids=() # every pgwarden running
pgbouncer_pid=
pgbouncer_runner_pid=
helper_pids=() # further processes of the calling script, stopped first

stop_pid() { # pid name: TERM, wait up to 15 s, then KILL
    local pid=$1 name=$2 i
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 150; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    log "$name (pid $pid) did not stop within 15 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
}

bench_cleanup() {
    local status=$? pid
    trap - EXIT INT TERM
    set +e
    for pid in "${helper_pids[@]}"; do stop_pid "$pid" "helper process"; done
    stop_pgwarden
    stop_pgbouncer
    if [[ -n $pg_data && -f $pg_data/postmaster.pid ]]; then
        as_service "$PG_BINDIR/pg_ctl" -D "$pg_data" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || log "pg_ctl stop failed"
    fi
    if [[ ${KEEP_WORK_DIR:-0} == 1 && -n $work_dir ]]; then
        log "KEEP_WORK_DIR=1: logs and data left in $work_dir"
    elif [[ -n $work_dir && -d $work_dir ]]; then
        rm -rf -- "$work_dir"
    fi
    exit "$status"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work_dir=$(mktemp -d "${TMPDIR:-/tmp}/pgwarden-bench.XXXXXX")
chmod 755 "$work_dir"
if [[ $EUID -eq 0 ]]; then chown "$SERVICE_USER" "$work_dir"; fi

# ---------------------------------------------------------------------------------------------
# Ports: free local ports, chosen at random below the kernel's ephemeral range (so that outgoing
# connections of other programs cannot take them between the check and the bind) and checked by
# trying to connect.

read -r ephemeral_low _ </proc/sys/net/ipv4/ip_local_port_range
port_low=10000
port_span=$((ephemeral_low - port_low))
((port_span >= 1000)) || { port_low=20000; port_span=10000; }
declare -A taken_ports=()
free_port() {
    local port i
    for ((i = 0; i < 200; i++)); do
        port=$((port_low + (RANDOM * 32768 + RANDOM) % port_span))
        [[ -n ${taken_ports[$port]:-} ]] && continue
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            taken_ports[$port]=1
            printf '%s' "$port"
            return 0
        fi
    done
    die "no free local port found in 200 tries"
}

psql_ok() { # port [user]: true when a query through that port answers
    "$PG_BINDIR/psql" -X -q -t -A -h 127.0.0.1 -p "$1" -U "${2:-$DB_USER}" -d "$DB" -c 'select 1' >/dev/null 2>&1
}

wait_ready() { # port name logfile seconds [pid [user]]: gives up as soon as that process has exited
    local port=$1 name=$2 logfile=$3 seconds=$4 pid=${5:-} user=${6:-$DB_USER} i
    for ((i = 0; i < seconds * 5; i++)); do
        psql_ok "$port" "$user" && return 0
        if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
            break
        fi
        sleep 0.2
    done
    log "$name did not answer on 127.0.0.1:$port within $seconds s; last lines of its log:"
    tail -n 20 "$logfile" >&2 || true
    die "$name did not start"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL: one cluster in the work directory, trusting loopback, with database $DB owned by
# $DB_USER (the initdb superuser). Settings beyond the defaults come on standard input.

start_postgres() { # port
    local port=$1
    pg_data=$work_dir/pgdata
    log "initdb ($("$PG_BINDIR/postgres" --version)) in $work_dir"
    as_service "$PG_BINDIR/initdb" -D "$pg_data" -U "$DB_USER" --auth=trust -E UTF8 --locale=C --no-sync \
        >"$work_dir/initdb.log" 2>&1 || { tail -n 20 "$work_dir/initdb.log" >&2; die "initdb failed"; }
    {
        printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\n" "$port" "$work_dir"
        cat
    } >>"$pg_data/postgresql.conf"
    as_service "$PG_BINDIR/pg_ctl" -D "$pg_data" -l "$work_dir/postgres.log" -w -t 60 start >/dev/null \
        || { tail -n 20 "$work_dir/postgres.log" >&2; die "PostgreSQL did not start"; }
    "$PG_BINDIR/createdb" -h 127.0.0.1 -p "$port" -U "$DB_USER" "$DB"
}

pgbench_init() { # port scale
    log "PostgreSQL on 127.0.0.1:$1; pgbench -i -s $2"
    "$PG_BINDIR/pgbench" -i -q -s "$2" -h 127.0.0.1 -p "$1" -U "$DB_USER" "$DB" >"$work_dir/init.log" 2>&1 \
        || { tail -n 20 "$work_dir/init.log" >&2; die "pgbench -i failed"; }
    "$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$1" -U "$DB_USER" -d "$DB" -c 'vacuum analyze' >/dev/null
}

# ---------------------------------------------------------------------------------------------
# PgBouncer, from an ini file that sets listen_port, logfile and pidfile in the work directory.

start_pgbouncer() { # ini port [user that checks it is up]
    local ini=$1 port=$2 user=${3:-$DB_USER} pidfile auth_file
    pidfile=$(awk -F' *= *' '$1 == "pidfile" {print $2}' "$ini")
    auth_file=$(awk -F' *= *' '$1 == "auth_file" {print $2}' "$ini")
    if [[ $EUID -eq 0 ]]; then chown "$SERVICE_USER" "$ini" ${auth_file:+"$auth_file"}; fi
    rm -f "$pidfile"
    # In the foreground of a background job, so that a failed start is seen at once; as root the job
    # is runuser, whose child PgBouncer writes its own pid to the pidfile. runuser sets the soft
    # open-file limit back to 1024, too few for thousands of clients: the shell raises it to the
    # hard limit before it becomes PgBouncer.
    # shellcheck disable=SC2016
    as_service sh -c 'ulimit -n "$(ulimit -Hn)" && exec "$0" -q "$1"' "$PGBOUNCER" "$ini" >/dev/null 2>&1 &
    pgbouncer_runner_pid=$!
    wait_ready "$port" PgBouncer "$work_dir/pgbouncer.log" 30 "$pgbouncer_runner_pid" "$user"
    pgbouncer_pid=$(<"$pidfile")
    log "PgBouncer $("$PGBOUNCER" --version | head -n 1 | awk '{print $2}') on 127.0.0.1:$port (pid $pgbouncer_pid, $(basename "$ini"))"
}

stop_pgbouncer() {
    stop_pid "$pgbouncer_pid" pgbouncer
    stop_pid "$pgbouncer_runner_pid" "pgbouncer's runuser"
    if [[ -n $pgbouncer_runner_pid ]]; then wait "$pgbouncer_runner_pid" 2>/dev/null || true; fi
    pgbouncer_pid=
    pgbouncer_runner_pid=
}

# ---------------------------------------------------------------------------------------------
# pgwarden from the unpacked distribution; bin/pgwarden execs java, so $! is the JVM. JAVA_OPTS is
# passed through. An empty plugins directory in the work directory is there for the YAML to name.
# Several may run at once under different names (audit.sh runs one without and one with a plugin);
# each logs to $work_dir/NAME.log.

pgwarden_launch="bin/pgwarden serve --config pgwarden.yaml"
mkdir -p "$work_dir/plugins"

start_pgwarden() { # yaml port [name, default pgwarden]
    local name=${3:-pgwarden}
    JAVA_OPTS=${JAVA_OPTS:-} "$PGWARDEN_HOME/bin/pgwarden" serve --config "$1" >>"$work_dir/$name.log" 2>&1 &
    pgwarden_pid=$!
    pgwarden_pids+=("$pgwarden_pid")
    wait_ready "$2" "$name" "$work_dir/$name.log" 60 "$pgwarden_pid"
    log "$name on 127.0.0.1:$2 (pid $pgwarden_pid, $(basename "$1")) via $pgwarden_launch"
}

stop_pgwarden() { # every pgwarden started
    local pid
    for pid in "${pgwarden_pids[@]}"; do
        stop_pid "$pid" pgwarden
        wait "$pid" 2>/dev/null || true
    done
    pgwarden_pids=()
    pgwarden_pid=
}

# ---------------------------------------------------------------------------------------------
# Numbers

# CPU time (user + system, all threads) of a process in clock ticks. The fields are counted after
# the command name's closing parenthesis: utime and stime are the 12th and 13th there.
cpu_ticks() {
    sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}' || true
}

median() { # numbers separated by spaces; prints their median, nothing for none
    # shellcheck disable=SC2086
    printf '%s\n' $1 | sort -g | awk '{v[NR] = $1} END {if (NR) printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

error_lines() { # file count: its first lines that mention an error, on one line (nothing when none)
    grep -E -i 'error|fatal|abort' "$1" 2>/dev/null | head -n "$2" | tr '\n' ' ' || true
}

proc_kib() { # pid field
    awk -v field="$2:" '$1 == field {print $2; exit}' "/proc/$1/status" 2>/dev/null || true
}
mib() { [[ -n $1 ]] && awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}' || printf 'n/a'; }
ratio() { # a b: a/b with two decimals, or n/a
    if [[ -n $1 && -n $2 ]] && awk -v b="$2" 'BEGIN {exit !(b + 0 > 0)}'; then
        awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'
    else
        printf 'n/a'
    fi
}

# ---------------------------------------------------------------------------------------------
# Report header lines

load_at_start=$(cut -d " " -f 1-3 /proc/loadavg)

bench_commit() {
    local commit dirty
    commit=$(git -C "$repo_dir" rev-parse --short HEAD 2>/dev/null || echo unknown)
    dirty=$(git -C "$repo_dir" status --porcelain --untracked-files=no 2>/dev/null | head -n 1)
    [[ -n $dirty ]] && commit+=" (with uncommitted changes)"
    printf '%s' "$commit"
}

machine_lines() { # the Machine, Load average and Software lines of a report
    local cpu_model mem_total
    cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
    mem_total=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576; exit}' /proc/meminfo)
    # Backticks are Markdown here.
    # shellcheck disable=SC2016
    printf -- '- Machine: %s CPUs (`nproc`), %s, %s RAM, Linux %s\n' "$(nproc)" "$cpu_model" "$mem_total" "$(uname -r)"
    printf -- "- Load average (1, 5, 15 min) at start: %s; at end: %s\n" "$load_at_start" "$(cut -d " " -f 1-3 /proc/loadavg)"
    printf -- '- Software: %s; %s; %s; %s\n' "$("$JAVA" -version 2>&1 | head -n 1)" "$("$PG_BINDIR/postgres" --version)" \
        "$("$PGBOUNCER" --version | head -n 1)" "$("$PG_BINDIR/pgbench" --version)"
}

errors_section() { # the end of a report: the errors array, or that there were none
    if [[ ${#errors[@]} -gt 0 ]]; then
        printf '\nErrors during the run:\n\n'
        printf -- '- %s\n' "${errors[@]}"
    else
        printf '\nNo errors and no failed transactions in any run.\n'
    fi
}

publish_report() { # report: prints it, appends it to BENCH_DOC when APPEND=1, exits 2 after any error
    printf '\n%s\n\n' "$1"
    if [[ $APPEND == 1 ]]; then
        mkdir -p "$(dirname "$BENCH_DOC")"
        printf '\n%s\n' "$1" >>"$BENCH_DOC"
        log "appended to $BENCH_DOC"
    fi
    if [[ ${#errors[@]} -gt 0 ]]; then
        local pgwarden_log
        for pgwarden_log in "$work_dir"/pgwarden*.log; do
            [[ -f $pgwarden_log ]] || continue
            log "$(basename "$pgwarden_log") (last 20 lines):"
            tail -n 20 "$pgwarden_log" >&2 || true
        done
        exit 2
    fi
}
