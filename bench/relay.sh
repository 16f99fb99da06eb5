#!/usr/bin/env bash
# Relay benchmark: pgbench select-only against direct PostgreSQL, PgBouncer (session pooling) and
# pgwarden (passthrough rule), side by side in one run, on 127.0.0.1 only. Prints a table of tps,
# average latency, the proxies' CPU time per transaction, the ratios pgwarden/direct and
# pgwarden/pgbouncer and the resident memory of both proxies, and appends it with the date and the
# machine to docs/benchmarks.md (method and caveats at the top of that file).
#
# Usage (from anywhere, after `mvn -q -o package -DskipTests`):   bench/relay.sh
# Settings, all optional, as environment variables:
#   DURATION=15     seconds of each measured pgbench run
#   WARMUP=5        seconds of the unmeasured run per target and mode before the first round (JIT, caches)
#   CLIENTS=32      pgbench -c
#   JOBS=2          pgbench -j
#   SCALE=10        pgbench -i -s
#   MODES="simple extended prepared"   pgbench -M values
#   REPEAT=3        rounds over every target and mode; the table shows the median of the rounds
#   BENCH_DOC=docs/benchmarks.md       where the dated section is appended; APPEND=0 to skip
#   PGWARDEN_HOME   the unpacked distribution (default: distribution/target/pgwarden-*/)
#   PG_BINDIR       PostgreSQL's bin directory (default: the newest /usr/lib/postgresql/*/bin)
#   JAVA_OPTS       extra JVM options for pgwarden (default: none, the JVM's own defaults)
#
# Missing PostgreSQL, its client tools or PgBouncer are installed from Debian packages (root only).
# Everything started here (PostgreSQL, PgBouncer, pgwarden, a temp directory) is stopped and removed
# on exit, also on failure or Ctrl-C. As root, PostgreSQL and PgBouncer run as the `postgres` user
# (both refuse to run as root); pgwarden runs as the invoking user.

set -euo pipefail

DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
CLIENTS=${CLIENTS:-32}
JOBS=${JOBS:-2}
SCALE=${SCALE:-10}
MODES=${MODES:-simple extended prepared}
REPEAT=${REPEAT:-3}
APPEND=${APPEND:-1}
JAVA_OPTS=${JAVA_OPTS:-}

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo_dir=$(cd "$script_dir/.." && pwd -P)
BENCH_DOC=${BENCH_DOC:-$repo_dir/docs/benchmarks.md}
TARGETS=(direct pgbouncer pgwarden)
DB=bench
DB_USER=bench

log() { printf '%s relay.sh: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for setting in DURATION WARMUP CLIENTS JOBS SCALE REPEAT; do
    [[ ${!setting} =~ ^[0-9]+$ && ${!setting} -gt 0 ]] || die "$setting must be a positive integer"
done
for mode in $MODES; do
    [[ $mode == simple || $mode == extended || $mode == prepared ]] || die "unknown mode '$mode' in MODES"
done

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
pgwarden_pid=
pgbouncer_pid=
pgbouncer_runner_pid=

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

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    set +e
    stop_pid "$pgwarden_pid" pgwarden
    stop_pid "$pgbouncer_pid" pgbouncer
    stop_pid "$pgbouncer_runner_pid" "pgbouncer's runuser"
    if [[ -n $pg_data && -f $pg_data/postmaster.pid ]]; then
        as_service "$PG_BINDIR/pg_ctl" -D "$pg_data" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || log "pg_ctl stop failed"
    fi
    [[ -n $work_dir && -d $work_dir ]] && rm -rf -- "$work_dir"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work_dir=$(mktemp -d "${TMPDIR:-/tmp}/pgwarden-bench.XXXXXX")
chmod 755 "$work_dir"
[[ $EUID -eq 0 ]] && chown "$SERVICE_USER" "$work_dir"

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
pg_port=$(free_port)
pgbouncer_port=$(free_port)
pgwarden_port=$(free_port)
load_at_start=$(cut -d " " -f 1-3 /proc/loadavg)
declare -A PORT=([direct]=$pg_port [pgbouncer]=$pgbouncer_port [pgwarden]=$pgwarden_port)

psql_ok() { # port: true when a query through that port answers
    "$PG_BINDIR/psql" -X -q -t -A -h 127.0.0.1 -p "$1" -U "$DB_USER" -d "$DB" -c 'select 1' >/dev/null 2>&1
}

wait_ready() { # port name logfile seconds [pid]: also gives up as soon as that process has exited
    local port=$1 name=$2 logfile=$3 seconds=$4 pid=${5:-} i
    for ((i = 0; i < seconds * 5; i++)); do
        psql_ok "$port" && return 0
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
# PostgreSQL

pg_data=$work_dir/pgdata
log "initdb ($("$PG_BINDIR/postgres" --version)) in $work_dir"
as_service "$PG_BINDIR/initdb" -D "$pg_data" -U "$DB_USER" --auth=trust -E UTF8 --locale=C --no-sync \
    >"$work_dir/initdb.log" 2>&1 || { tail -n 20 "$work_dir/initdb.log" >&2; die "initdb failed"; }
cat >>"$pg_data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$work_dir'
max_connections = 200
EOF
as_service "$PG_BINDIR/pg_ctl" -D "$pg_data" -l "$work_dir/postgres.log" -w -t 60 start >/dev/null \
    || { tail -n 20 "$work_dir/postgres.log" >&2; die "PostgreSQL did not start"; }
"$PG_BINDIR/createdb" -h 127.0.0.1 -p "$pg_port" -U "$DB_USER" "$DB"
log "PostgreSQL on 127.0.0.1:$pg_port; pgbench -i -s $SCALE"
"$PG_BINDIR/pgbench" -i -q -s "$SCALE" -h 127.0.0.1 -p "$pg_port" -U "$DB_USER" "$DB" >"$work_dir/init.log" 2>&1 \
    || { tail -n 20 "$work_dir/init.log" >&2; die "pgbench -i failed"; }

# ---------------------------------------------------------------------------------------------
# PgBouncer: session pooling, trust on loopback (the user must still be listed in auth_file).

cat >"$work_dir/userlist.txt" <<EOF
"$DB_USER" ""
EOF
cat >"$work_dir/pgbouncer.ini" <<EOF
[databases]
$DB = host=127.0.0.1 port=$pg_port dbname=$DB

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $pgbouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $work_dir/userlist.txt
pool_mode = session
default_pool_size = 100
max_client_conn = 200
logfile = $work_dir/pgbouncer.log
pidfile = $work_dir/pgbouncer.pid
EOF
[[ $EUID -eq 0 ]] && chown "$SERVICE_USER" "$work_dir"/userlist.txt "$work_dir"/pgbouncer.ini
# In the foreground of a background job, so that a failed start is seen at once; as root the job is
# runuser, whose child PgBouncer writes its own pid to the pidfile.
as_service "$PGBOUNCER" -q "$work_dir/pgbouncer.ini" >/dev/null 2>&1 &
pgbouncer_runner_pid=$!
wait_ready "$pgbouncer_port" PgBouncer "$work_dir/pgbouncer.log" 30 "$pgbouncer_runner_pid"
pgbouncer_pid=$(<"$work_dir/pgbouncer.pid")
log "PgBouncer $("$PGBOUNCER" --version | head -n 1 | awk '{print $2}') on 127.0.0.1:$pgbouncer_port (pid $pgbouncer_pid)"

# ---------------------------------------------------------------------------------------------
# pgwarden: one backend, the passthrough rule (PostgreSQL itself authenticates the client: trust).
# An empty plugins directory: the relay is measured without any plugin loaded.
mkdir -p "$work_dir/plugins"

cat >"$work_dir/pgwarden.yaml" <<EOF
listen: { host: 127.0.0.1, port: $pgwarden_port }
backends:
  primary: { host: 127.0.0.1, port: $pg_port, tls: { mode: disable } }
auth:
  rules:
    - { method: passthrough, backend: primary }
plugins_dir: $work_dir/plugins
plugins: []
limits: { max_client_connections: 200 }
EOF
# bin/pgwarden execs java, so $! is the JVM in both cases.
pgwarden_launch="bin/pgwarden serve --config pgwarden.yaml"
# JAVA_OPTS is split on purpose: it may hold several options.
# shellcheck disable=SC2086
JAVA_OPTS=$JAVA_OPTS "$PGWARDEN_HOME/bin/pgwarden" serve --config "$work_dir/pgwarden.yaml" \
    >"$work_dir/pgwarden.log" 2>&1 &
pgwarden_pid=$!
wait_ready "$pgwarden_port" pgwarden "$work_dir/pgwarden.log" 60 "$pgwarden_pid"
log "pgwarden on 127.0.0.1:$pgwarden_port (pid $pgwarden_pid) via $pgwarden_launch"

# ---------------------------------------------------------------------------------------------
# Runs. Rounds outside, then modes, then targets, so that drift of the machine during the run spreads
# over the targets instead of favouring one. The first round warms each target and mode up first.

"$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$pg_port" -U "$DB_USER" -d "$DB" -c 'vacuum analyze' >/dev/null

declare -A TPS=() LAT=() RC=() CPU=() TPS_ALL=() LAT_ALL=() CPU_ALL=()
declare -A PID_OF=([direct]="" [pgbouncer]=$pgbouncer_pid [pgwarden]=$pgwarden_pid)
errors=()
CLK_TCK=$(getconf CLK_TCK)

# CPU time (user + system, all threads) of a process in clock ticks. The fields are counted after
# the command name's closing parenthesis: utime and stime are the 12th and 13th there.
cpu_ticks() {
    sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}'
}

pgbench_run() { # target mode seconds outfile; returns pgbench's exit status
    "$PG_BINDIR/pgbench" -n -S -c "$CLIENTS" -j "$JOBS" -T "$3" -M "$2" \
        -h 127.0.0.1 -p "${PORT[$1]}" -U "$DB_USER" "$DB" >"$4" 2>&1
}

for ((round = 1; round <= REPEAT; round++)); do
    for mode in $MODES; do
        for target in "${TARGETS[@]}"; do
            key=$target,$mode
            out=$work_dir/run-$target-$mode-$round.log
            if ((round == 1)); then
                log "$target -M $mode: warm-up ${WARMUP} s"
                if ! pgbench_run "$target" "$mode" "$WARMUP" "$work_dir/warmup-$target-$mode.log"; then
                    errors+=("$target -M $mode warm-up: $(grep -Ei 'error|fatal|abort' "$work_dir/warmup-$target-$mode.log" | head -n 3 | tr '\n' ' ')")
                fi
            fi
            proxy_pid=${PID_OF[$target]}
            ticks_before=
            [[ -n $proxy_pid ]] && ticks_before=$(cpu_ticks "$proxy_pid")
            rc=0
            pgbench_run "$target" "$mode" "$DURATION" "$out" || rc=$?
            cpu=
            if [[ -n $ticks_before ]]; then
                ticks_after=$(cpu_ticks "$proxy_pid")
                transactions=$(awk '/^number of transactions actually processed: / {print $6; exit}' "$out")
                if [[ -n $ticks_after && ${transactions:-0} -gt 0 ]]; then
                    cpu=$(awk -v t=$((ticks_after - ticks_before)) -v hz="$CLK_TCK" -v n="$transactions" \
                        'BEGIN {printf "%.1f", t * 1000000 / hz / n}')
                fi
            fi
            tps=$(awk '/^tps = / {print $3; exit}' "$out")
            lat=$(awk '/^latency average = / {print $4; exit}' "$out")
            failed=$(awk '/^number of failed transactions: / {print $5; exit}' "$out")
            if [[ $rc -ne 0 || -z $tps || ${failed:-0} != 0 ]]; then
                RC[$key]=1
                errors+=("$target -M $mode round $round: pgbench exit $rc, failed transactions ${failed:-?}: $(grep -Ei 'error|fatal|abort' "$out" | head -n 3 | tr '\n' ' ')")
            else
                TPS_ALL[$key]+="$tps "
                LAT_ALL[$key]+="$lat "
                [[ -n $cpu ]] && CPU_ALL[$key]+="$cpu "
            fi
            log "round $round/$REPEAT, $target -M $mode: tps ${tps:-none}, latency ${lat:-none} ms${cpu:+, proxy CPU $cpu us/transaction}"
        done
    done
done

median() { # numbers separated by spaces; prints their median, nothing for none
    # shellcheck disable=SC2086
    printf '%s\n' $1 | sort -g | awk '{v[NR] = $1} END {if (NR) printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
for key in "${!TPS_ALL[@]}"; do
    [[ -n ${RC[$key]:-} ]] && continue
    RC[$key]=0
    TPS[$key]=$(median "${TPS_ALL[$key]}")
    LAT[$key]=$(median "${LAT_ALL[$key]}")
    [[ -n ${CPU_ALL[$key]:-} ]] && CPU[$key]=$(printf '%.1f' "$(median "${CPU_ALL[$key]}")")
done

# ---------------------------------------------------------------------------------------------
# Memory after the last run: pgbench has disconnected, PgBouncer keeps its idle server connections,
# pgwarden's sessions have ended. VmHWM is the peak resident size over the whole run.

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
declare -A RSS=([direct]="" [pgbouncer]=$(proc_kib "$pgbouncer_pid" VmRSS) [pgwarden]=$(proc_kib "$pgwarden_pid" VmRSS))
declare -A HWM=([direct]="" [pgbouncer]=$(proc_kib "$pgbouncer_pid" VmHWM) [pgwarden]=$(proc_kib "$pgwarden_pid" VmHWM))
kill -0 "$pgwarden_pid" 2>/dev/null || errors+=("pgwarden exited during the run; see its log")

# ---------------------------------------------------------------------------------------------
# Report

cell_tps() { if [[ -n ${TPS[$1]:-} && ${RC[$1]:-1} -eq 0 ]]; then printf '%.0f' "${TPS[$1]}"; else printf 'ERROR'; fi; }
cell_lat() { if [[ -n ${LAT[$1]:-} && ${RC[$1]:-1} -eq 0 ]]; then printf '%s' "${LAT[$1]}"; else printf 'ERROR'; fi; }

table() {
    local header="| target |" rule="|---|" target mode row
    for mode in $MODES; do
        header+=" $mode tps | $mode latency ms | $mode proxy CPU µs/tx |"
        rule+="---:|---:|---:|"
    done
    header+=" VmRSS MiB at end (peak VmHWM) |"
    rule+="---:|"
    printf '%s\n%s\n' "$header" "$rule"
    for target in "${TARGETS[@]}"; do
        row="| $target |"
        for mode in $MODES; do
            row+=" $(cell_tps "$target,$mode") | $(cell_lat "$target,$mode") | ${CPU[$target,$mode]:-n/a} |"
        done
        if [[ $target == direct ]]; then
            row+=" n/a (one server process per client) |"
        else
            row+=" $(mib "${RSS[$target]}") ($(mib "${HWM[$target]}")) |"
        fi
        printf '%s\n' "$row"
    done
    local base
    for base in direct pgbouncer; do
        row="| **pgwarden / $base** |"
        for mode in $MODES; do
            row+=" **$(ratio "${TPS[pgwarden,$mode]:-}" "${TPS[$base,$mode]:-}")** | $(ratio "${LAT[pgwarden,$mode]:-}" "${LAT[$base,$mode]:-}") |"
            if [[ $base == pgbouncer ]]; then
                row+=" $(ratio "${CPU[pgwarden,$mode]:-}" "${CPU[pgbouncer,$mode]:-}") |"
            else
                row+=" |"
            fi
        done
        if [[ $base == pgbouncer ]]; then
            row+=" $(ratio "${RSS[pgwarden]}" "${RSS[pgbouncer]}") |"
        else
            row+=" |"
        fi
        printf '%s\n' "$row"
    done
}

load_at_end=$(cut -d " " -f 1-3 /proc/loadavg)
cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
mem_total=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576; exit}' /proc/meminfo)
java_version=$("$JAVA" -version 2>&1 | head -n 1)
pg_version=$("$PG_BINDIR/postgres" --version)
pgbouncer_version=$("$PGBOUNCER" --version | head -n 1)
pgbench_version=$("$PG_BINDIR/pgbench" --version)
commit=$(git -C "$repo_dir" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$repo_dir" status --porcelain --untracked-files=no 2>/dev/null | head -n 1)
[[ -n $dirty ]] && commit+=" (with uncommitted changes)"
command_line="DURATION=$DURATION WARMUP=$WARMUP CLIENTS=$CLIENTS JOBS=$JOBS SCALE=$SCALE REPEAT=$REPEAT MODES=\"$MODES\"${JAVA_OPTS:+ JAVA_OPTS=\"$JAVA_OPTS\"} bench/relay.sh"
pgbench_line="pgbench -n -S -c $CLIENTS -j $JOBS -T $DURATION -M <mode> -h 127.0.0.1 -p <port> -U $DB_USER $DB"

# Backticks in the report are Markdown, not command substitution.
# shellcheck disable=SC2016
report=$(
    printf '## %s UTC, pgwarden %s\n\n' "$(date -u '+%Y-%m-%d %H:%M')" "$commit"
    printf -- '- Machine: %s CPUs (`nproc`), %s, %s RAM, Linux %s\n' "$(nproc)" "$cpu_model" "$mem_total" "$(uname -r)"
    printf -- "- Load average (1, 5, 15 min) at start: %s; at end: %s\n" "$load_at_start" "$load_at_end"
    printf -- '- Software: %s; %s; %s; %s\n' "$java_version" "$pg_version" "$pgbouncer_version" "$pgbench_version"
    printf -- '- Command: `%s`\n' "$command_line"
    printf -- '- Each run: `%s`; %s rounds over all targets and modes, a %s s warm-up run per target and mode before the first; database `pgbench -i -s %s`\n' \
        "$pgbench_line" "$REPEAT" "$WARMUP" "$SCALE"
    printf -- '- pgwarden: %s, passthrough rule, no plugins, JAVA_OPTS `%s`\n' "$pgwarden_launch" "${JAVA_OPTS:-(none)}"
    printf -- '- PgBouncer: session pooling, auth_type trust, default_pool_size 100\n\n'
    table
    printf '\nMedians of the rounds. Bold: tps ratio (higher is better for pgwarden); next to it the latency ratio and\n'
    printf 'the proxy CPU ratio (lower is better). Proxy CPU: user + system time of the proxy process during a run\n'
    printf 'divided by the transactions pgbench completed in it.\n\n'
    printf 'tps of each round:\n\n'
    for mode in $MODES; do
        for target in "${TARGETS[@]}"; do
            printf -- '- %s -M %s: %s\n' "$target" "$mode" \
                "$(printf '%s' "${TPS_ALL[$target,$mode]:-none}" | awk '{for (i = 1; i <= NF; i++) printf "%s%.0f", (i > 1 ? ", " : ""), $i}')"
        done
    done
    if [[ ${#errors[@]} -gt 0 ]]; then
        printf '\nErrors during the run:\n\n'
        printf -- '- %s\n' "${errors[@]}"
    else
        printf '\nNo errors and no failed transactions in any run.\n'
    fi
)

printf '\n%s\n\n' "$report"
if [[ $APPEND == 1 ]]; then
    mkdir -p "$(dirname "$BENCH_DOC")"
    printf '\n%s\n' "$report" >>"$BENCH_DOC"
    log "appended to $BENCH_DOC"
fi
if [[ ${#errors[@]} -gt 0 ]]; then
    log "pgwarden log (last 20 lines):"
    tail -n 20 "$work_dir/pgwarden.log" >&2 || true
    exit 2
fi
