#!/usr/bin/env bash
# Pooling benchmark: direct PostgreSQL, PgBouncer and pgwarden side by side in one run, both proxies
# with the same pool mode and pool size, on 127.0.0.1 only. pgbench select-only (-S) and TPC-B-like
# workloads with each query protocol, client count and pool mode; select-only with a new connection
# per transaction (-C) and SCRAM-SHA-256; and many idle client connections held open against each
# proxy to measure memory per connection. Prints one Markdown table (tps, average latency, proxy CPU
# per transaction, the ratios pgwarden/PgBouncer and pgwarden/direct, errors of every run) and the
# idle-connection memory, and appends them with the date and the machine to docs/benchmarks.md
# (what each case measures: "Pooling method" at the top of that file).
#
# Usage (from anywhere, after `mvn -q -o package -DskipTests`):   bench/pool.sh
# Quick check:  DURATION=3 WARMUP=1 CLIENT_COUNTS=16 MODES=simple IDLE_CONNECTIONS=1000 APPEND=0 bench/pool.sh
# Settings, all optional, as environment variables:
#   DURATION=10          seconds of each measured pgbench run
#   WARMUP=5             seconds of the unmeasured run per target and protocol after each start (select-only),
#                        and per target before the -C runs
#   SCALE=10             pgbench -i -s
#   JOBS=2               pgbench -j (at most the number of clients)
#   CLIENT_COUNTS="16 64 512"            pgbench -c values
#   POOL_MODES="session transaction"     pool modes of both proxies (each gets its own pass)
#   MODES="simple extended prepared"     pgbench -M values
#   WORKLOADS="select tpcb connect"      select: -S; tpcb: the built-in TPC-B-like script;
#                                        connect: -S -C -M simple as a SCRAM user, CONNECT_CLIENTS clients
#   CONNECT_CLIENTS=16   pgbench -c of the connect workload
#   POOL_SIZE=20         default_pool_size of PgBouncer, pool.size of pgwarden
#   SESSION_MAX_CLIENTS=64   session-mode runs with more clients than this are skipped (see the doc)
#   IDLE_CONNECTIONS=10000   idle client connections held against each proxy; 0 skips that part
#   IDLE_POOL_MODE=transaction  the pass in which the idle connections are measured
#   IDLE_TIMEOUT=300     seconds the idle client may take for all its logins before it counts as failed
#   REPEAT=1             rounds per pass; the table shows the median of the rounds
#   BENCH_DOC=docs/benchmarks.md         where the dated section is appended; APPEND=0 to skip
#   PGWARDEN_HOME, PG_BINDIR, JAVA_OPTS  as for relay.sh
#   KEEP_WORK_DIR=1      keep the temporary directory (every run's pgbench output, the proxies' logs)
#
# Missing PostgreSQL, its client tools or PgBouncer are installed from Debian packages (root only).
# Everything started here (PostgreSQL, PgBouncer, pgwarden, the idle client, a temp directory) is
# stopped and removed on exit, also on failure or Ctrl-C. As root, PostgreSQL and PgBouncer run as
# the `postgres` user; pgwarden and the clients run as the invoking user. Exit status 2 when any run
# had an error or a failed transaction (the results are still appended, with the errors listed).

set -euo pipefail

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
SCALE=${SCALE:-10}
JOBS=${JOBS:-2}
CLIENT_COUNTS=${CLIENT_COUNTS:-16 64 512}
POOL_MODES=${POOL_MODES:-session transaction}
MODES=${MODES:-simple extended prepared}
WORKLOADS=${WORKLOADS:-select tpcb connect}
CONNECT_CLIENTS=${CONNECT_CLIENTS:-16}
POOL_SIZE=${POOL_SIZE:-20}
SESSION_MAX_CLIENTS=${SESSION_MAX_CLIENTS:-64}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
IDLE_POOL_MODE=${IDLE_POOL_MODE:-transaction}
IDLE_TIMEOUT=${IDLE_TIMEOUT:-300}
REPEAT=${REPEAT:-1}
APPEND=${APPEND:-1}
JAVA_OPTS=${JAVA_OPTS:-}

BENCH_NAME=pool.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_DOC=${BENCH_DOC:-$repo_dir/docs/benchmarks.md}
TARGETS=(direct pgbouncer pgwarden)
SCRAM_USER=bench_scram

require_positive DURATION WARMUP SCALE JOBS CONNECT_CLIENTS POOL_SIZE SESSION_MAX_CLIENTS REPEAT IDLE_TIMEOUT
[[ $IDLE_CONNECTIONS =~ ^[0-9]+$ ]] || die "IDLE_CONNECTIONS must be a number (0 skips the idle connections)"
for clients in $CLIENT_COUNTS; do
    [[ $clients =~ ^[0-9]+$ && $clients -gt 0 ]] || die "CLIENT_COUNTS holds '$clients', not a positive integer"
done
for mode in $MODES; do
    [[ $mode == simple || $mode == extended || $mode == prepared ]] || die "unknown protocol '$mode' in MODES"
done
for pool_mode in $POOL_MODES; do
    [[ $pool_mode == session || $pool_mode == transaction ]] || die "unknown pool mode '$pool_mode' in POOL_MODES"
done
for workload in $WORKLOADS; do
    [[ $workload == select || $workload == tpcb || $workload == connect ]] || die "unknown workload '$workload' in WORKLOADS"
done
[[ -n $CLIENT_COUNTS && -n $MODES && -n $POOL_MODES && -n $WORKLOADS ]] || die "CLIENT_COUNTS, MODES, POOL_MODES and WORKLOADS must not be empty"

# The idle connections are measured in the pass of IDLE_POOL_MODE, or in the last pass when
# POOL_MODES does not include it.
idle_pass=
for pool_mode in $POOL_MODES; do idle_pass=$pool_mode; done
[[ " $POOL_MODES " == *" $IDLE_POOL_MODE "* ]] && idle_pass=$IDLE_POOL_MODE
((IDLE_CONNECTIONS > 0)) || idle_pass=

# Every client connection is a file descriptor in the client and in the proxy.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
max_clients=$CONNECT_CLIENTS
for clients in $CLIENT_COUNTS; do ((clients > max_clients)) && max_clients=$clients; done
if ((IDLE_CONNECTIONS + 200 > $(ulimit -n) || max_clients + 200 > $(ulimit -n))); then
    die "the open-file limit $(ulimit -n) is too low for $IDLE_CONNECTIONS idle or $max_clients active connections; raise 'ulimit -Hn' or lower IDLE_CONNECTIONS"
fi
max_client_conn=$((IDLE_CONNECTIONS + max_clients + 100))

pg_port=$(free_port)
pgbouncer_port=$(free_port)
pgwarden_port=$(free_port)
declare -A PORT=([direct]=$pg_port [pgbouncer]=$pgbouncer_port [pgwarden]=$pgwarden_port)

# ---------------------------------------------------------------------------------------------
# PostgreSQL: room for every client of a direct run with the most clients, plus both pools; more
# shared buffers than the default so that the scale-10 database stays in memory with 600
# backends. synchronous_commit off keeps TPC-B-like runs from measuring the disk's flush latency,
# which would hide what the proxies cost.

pg_max_connections=$((max_clients + 2 * POOL_SIZE + 60))
((pg_max_connections < 600)) && pg_max_connections=600
start_postgres "$pg_port" <<EOF
max_connections = $pg_max_connections
shared_buffers = 256MB
synchronous_commit = off
EOF
pgbench_init "$pg_port" "$SCALE"

# The connect workload logs in as a role with a SCRAM-SHA-256 password: pg_hba asks it for the
# password on loopback, everyone else stays trusted. The password is random, written only to a
# pgpass file (mode 600) that psql and pgbench read, and never on a command line.
scram_password=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
export PGPASSFILE=$work_dir/pgpass
(umask 077 && printf '127.0.0.1:*:*:%s:%s\n' "$SCRAM_USER" "$scram_password" >"$PGPASSFILE")
printf "set password_encryption = 'scram-sha-256';\ncreate role %s login password '%s';\ngrant select, insert, update on all tables in schema public to %s;\n" \
    "$SCRAM_USER" "$scram_password" "$SCRAM_USER" \
    | "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U "$DB_USER" -d "$DB" -f - >/dev/null
hba=$pg_data/pg_hba.conf
{ printf 'host all %s 127.0.0.1/32 scram-sha-256\n' "$SCRAM_USER"; cat "$hba"; } >"$work_dir/pg_hba.conf"
cat "$work_dir/pg_hba.conf" >"$hba" # rewritten in place: the file keeps its owner
"$PG_BINDIR/psql" -X -q -t -A -h 127.0.0.1 -p "$pg_port" -U "$DB_USER" -d "$DB" -c 'select pg_reload_conf()' >/dev/null
psql_ok "$pg_port" "$SCRAM_USER" || die "the SCRAM login to PostgreSQL does not work"
scram_secret=$("$PG_BINDIR/psql" -X -q -t -A -h 127.0.0.1 -p "$pg_port" -U "$DB_USER" -d "$DB" \
    -c "select rolpassword from pg_authid where rolname = '$SCRAM_USER'")
[[ $scram_secret == SCRAM-SHA-256\$* ]] || die "PostgreSQL did not store a SCRAM secret for $SCRAM_USER"

# ---------------------------------------------------------------------------------------------
# Proxy configurations, one pass per pool mode. PgBouncer: trust for the bench user (listed with
# an empty password, as auth_file requires), and a second configuration with auth_type
# scram-sha-256 whose auth_file holds the SCRAM secret from pg_authid, for the connect workload.
# pgwarden: one configuration for everything: the SCRAM user by the scram plugin's scram-sha-256
# with the same userlist as PgBouncer (pgwarden checks the password and logs into PostgreSQL with
# the client's recovered SCRAM keys), everyone else by trust with the bench login, so that the pool
# may open server connections itself, as PgBouncer does.

(umask 077 && printf '"%s" ""\n' "$DB_USER" >"$work_dir/userlist.txt")
(umask 077 && printf '"%s" "%s"\n' "$SCRAM_USER" "$scram_secret" >"$work_dir/userlist-scram.txt")
if [[ $EUID -eq 0 ]]; then chown "$SERVICE_USER" "$work_dir/userlist.txt" "$work_dir/userlist-scram.txt"; fi

write_pgbouncer_ini() { # file pool_mode auth_type auth_file
    cat >"$1" <<EOF
[databases]
$DB = host=127.0.0.1 port=$pg_port dbname=$DB

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $pgbouncer_port
unix_socket_dir =
auth_type = $3
auth_file = $4
pool_mode = $2
default_pool_size = $POOL_SIZE
max_client_conn = $max_client_conn
logfile = $work_dir/pgbouncer.log
pidfile = $work_dir/pgbouncer.pid
EOF
}

write_pgwarden_yaml() { # file pool_mode
    cat >"$1" <<EOF
listen: { host: 127.0.0.1, port: $pgwarden_port }
backends:
  primary: { host: 127.0.0.1, port: $pg_port, tls: { mode: disable } }
auth:
  rules:
    - { user: $SCRAM_USER, method: scram-sha-256, backend: primary }
    - { user: $DB_USER, method: trust, backend: primary, login: { user: $DB_USER } }
plugins_dir: $PGWARDEN_HOME/plugins
plugins:
  - type: scram
    userlist: $work_dir/userlist-scram.txt
limits: { max_client_connections: $max_client_conn }
pool: { mode: $2, size: $POOL_SIZE }
EOF
}

# ---------------------------------------------------------------------------------------------
# One pgbench run. A run that does not end within 20 s after its duration is stopped and
# counted as an error (a proxy that never answers must not stall the whole benchmark).

declare -A TPS_ALL=() LAT_ALL=() CPU_ALL=() SERVERS_ALL=() ERR=() SEEN=()
declare -A PID_OF=()
errors=()
CLK_TCK=$(getconf CLK_TCK)
run_seq=0

workload_label() {
    case $1 in
        select) printf 'select-only' ;;
        tpcb) printf 'TPC-B-like' ;;
        connect) printf 'select-only -C, SCRAM' ;;
    esac
}

pgbench_cmd() { # workload protocol clients seconds port: prints the argument list, one per line
    local workload=$1 protocol=$2 clients=$3 seconds=$4 port=$5 user=$DB_USER jobs=$JOBS
    ((jobs > clients)) && jobs=$clients
    local args=(-n -c "$clients" -j "$jobs" -T "$seconds" -M "$protocol")
    case $workload in
        select) args+=(-S) ;;
        tpcb) ;;
        connect) args+=(-S -C); user=$SCRAM_USER ;;
    esac
    args+=(-h 127.0.0.1 -p "$port" -U "$user" "$DB")
    printf '%s\n' "${args[@]}"
}

# An error summary of one pgbench output: empty when the run was clean.
run_errors() { # outfile exit_status
    local out=$1 rc=$2 failed aborted summary=
    failed=$(awk '/^number of failed transactions: / {print $5; exit}' "$out")
    aborted=$(grep -c -E '^client [0-9]+ aborted' "$out" || true)
    [[ $rc -ne 0 ]] && summary+="exit $rc"
    [[ $rc -eq 124 || $rc -eq 137 ]] && summary+=" (timed out)"
    ((aborted > 0)) && summary+="${summary:+, }$aborted clients aborted"
    [[ -n $failed && $failed != 0 ]] && summary+="${summary:+, }$failed failed transactions"
    [[ -z $summary ]] && ! grep -q '^tps = ' "$out" && summary="no tps reported"
    printf '%s' "$summary"
}

server_connections() { # pid: its established TCP connections to PostgreSQL
    ss -H -t -n -p state established "( dport = :$pg_port )" 2>/dev/null | grep -c "pid=$1," || true
}

# The most server connections a proxy held during a run, from a sample every second, written to a file.
sample_servers() { # pid file
    local most=0 now
    while true; do
        now=$(server_connections "$1")
        ((now > most)) && most=$now
        printf '%s\n' "$most" >"$2"
        sleep 1
    done
}

measure() { # workload protocol clients pool_mode target round
    local workload=$1 protocol=$2 clients=$3 pool_mode=$4 target=$5 round=$6
    local key=$workload,$protocol,$clients,$pool_mode,$target out rc=0 proxy_pid ticks_before='' ticks_after cpu=''
    local tps lat transactions problem args sampler_pid=''
    run_seq=$((run_seq + 1))
    out=$work_dir/run-$run_seq-$target-$workload-$protocol-$clients-$pool_mode.log
    proxy_pid=${PID_OF[$target]:-}
    if [[ -n $proxy_pid ]]; then
        ticks_before=$(cpu_ticks "$proxy_pid")
        sample_servers "$proxy_pid" "$out.servers" &
        sampler_pid=$!
        helper_pids=("$sampler_pid")
    fi
    mapfile -t args < <(pgbench_cmd "$workload" "$protocol" "$clients" "$DURATION" "${PORT[$target]}")
    timeout -k 10 $((DURATION + 20)) "$PG_BINDIR/pgbench" "${args[@]}" >"$out" 2>&1 || rc=$?
    if [[ -n $sampler_pid ]]; then
        stop_pid "$sampler_pid" "server connection sampler"
        wait "$sampler_pid" 2>/dev/null || true
        helper_pids=()
        [[ -s $out.servers ]] && SERVERS_ALL[$key]+="$(<"$out.servers") "
    fi
    tps=$(awk '/^tps = / {print $3; exit}' "$out")
    lat=$(awk '/^latency average = / {print $4; exit}' "$out")
    transactions=$(awk '/^number of transactions actually processed: / {print $6; exit}' "$out")
    if [[ -n $ticks_before ]]; then
        ticks_after=$(cpu_ticks "$proxy_pid")
        if [[ -n $ticks_after && ${transactions:-0} -gt 0 ]]; then
            cpu=$(awk -v t=$((ticks_after - ticks_before)) -v hz="$CLK_TCK" -v n="$transactions" \
                'BEGIN {printf "%.1f", t * 1000000 / hz / n}')
        fi
    fi
    SEEN[$key]=1
    [[ -n $tps ]] && TPS_ALL[$key]+="$tps "
    [[ -n $lat ]] && LAT_ALL[$key]+="$lat "
    [[ -n $cpu ]] && CPU_ALL[$key]+="$cpu "
    problem=$(run_errors "$out" "$rc")
    if [[ -n $problem ]]; then
        ERR[$key]+="${ERR[$key]:+; }$problem"
        errors+=("$target, $(workload_label "$workload"), -M $protocol, $clients clients, $pool_mode mode, round $round: $problem: $(error_lines "$out" 2)")
    fi
    log "$target $(workload_label "$workload") -M $protocol -c $clients ($pool_mode): tps ${tps:-none}, latency ${lat:-none} ms${cpu:+, proxy CPU $cpu us/tx}${problem:+, ERRORS: $problem}"
}

# Unmeasured runs that let the JIT compile pgwarden's paths before they are measured; the other
# targets get the same, for their caches.
warm_up() { # target workload protocols clients
    local target=$1 workload=$2 clients=$4 protocol rc args
    for protocol in $3; do
        mapfile -t args < <(pgbench_cmd "$workload" "$protocol" "$clients" "$WARMUP" "${PORT[$target]}")
        rc=0
        timeout -k 10 $((WARMUP + 30)) "$PG_BINDIR/pgbench" "${args[@]}" >"$work_dir/warmup-$target-$workload-$protocol.log" 2>&1 || rc=$?
        ((rc == 0)) || log "$target $(workload_label "$workload") warm-up -M $protocol: pgbench exit $rc (see the table's runs)"
    done
}

# ---------------------------------------------------------------------------------------------
# Idle connections: IdleClients.java opens IDLE_CONNECTIONS connections, logs each one in (trust)
# and holds them. Resident memory (VmRSS) of the proxy and, for pgwarden, the heap in use after a
# full GC (jcmd GC.run, then GC.heap_info) are taken before and after; the difference divided by
# the connections is the cost of one idle client connection.

declare -A IDLE=()

heap_used_kib() { # pid: the heap in use after a full collection, in KiB
    local jcmd_bin
    jcmd_bin=$(dirname "$(readlink -f "$JAVA")")/jcmd
    "$jcmd_bin" "$1" GC.run >/dev/null 2>&1 || return 0
    "$jcmd_bin" "$1" GC.heap_info 2>/dev/null | grep -o -m 1 'used [0-9]*K' | tr -dc '0-9' || true
}

idle_measure() { # target pid
    local target=$1 pid=$2 rss_before rss_after heap_before='' heap_after='' client_pid line='' i ready failed seconds
    local out=$work_dir/idle-$target.out
    [[ $target == pgwarden ]] && heap_before=$(heap_used_kib "$pid")
    sleep 1
    rss_before=$(proc_kib "$pid" VmRSS)
    log "$target: opening $IDLE_CONNECTIONS idle connections"
    "$JAVA" "$bench_dir/IdleClients.java" 127.0.0.1 "${PORT[$target]}" "$DB_USER" "$DB" "$IDLE_CONNECTIONS" 100 \
        >"$out" 2>"$work_dir/idle-$target.err" &
    client_pid=$!
    helper_pids+=("$client_pid")
    for ((i = 0; i < IDLE_TIMEOUT * 2; i++)); do
        line=$(grep -m 1 -E '^ready=[0-9]+ failed=[0-9]+ seconds=[0-9.]+$' "$out" || true)
        [[ -n $line ]] && break
        kill -0 "$client_pid" 2>/dev/null || break
        sleep 0.5
    done
    if [[ -z $line ]]; then
        errors+=("$target idle connections: the client did not finish its logins within $IDLE_TIMEOUT s: $(head -n 3 "$work_dir/idle-$target.err" | tr '\n' ' ')")
        IDLE[$target]="the idle client did not finish its $IDLE_CONNECTIONS logins within $IDLE_TIMEOUT s"
    else
        sleep 2
        [[ $target == pgwarden ]] && heap_after=$(heap_used_kib "$pid")
        rss_after=$(proc_kib "$pid" VmRSS)
        ready=$(sed -E 's/.*ready=([0-9]+).*/\1/' <<<"$line")
        failed=$(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$line")
        seconds=$(sed -E 's/.*seconds=([0-9.]+).*/\1/' <<<"$line")
        if ((failed > 0)); then
            errors+=("$target idle connections: $failed of $IDLE_CONNECTIONS logins failed: $(head -n 3 "$work_dir/idle-$target.err" | tr '\n' ' ')")
        fi
        IDLE[$target]=$(awk -v n="$ready" -v f="$failed" -v s="$seconds" -v rb="$rss_before" -v ra="$rss_after" \
            -v hb="$heap_before" -v ha="$heap_after" 'BEGIN {
                printf "%d connections open and idle (%d failed, logins took %.1f s): VmRSS %.1f -> %.1f MiB, %.1f KiB per connection",
                    n, f, s, rb / 1024, ra / 1024, n ? (ra - rb) / n : 0
                if (hb != "" && ha != "")
                    printf "; heap in use after full GC %.1f -> %.1f MiB, %.1f KiB per connection", hb / 1024, ha / 1024, n ? (ha - hb) / n : 0
            }')
        log "$target: ${IDLE[$target]}"
    fi
    stop_pid "$client_pid" "idle client"
    wait "$client_pid" 2>/dev/null || true
    helper_pids=()
    sleep 2
}

# ---------------------------------------------------------------------------------------------
# Passes: one per pool mode, each with freshly started proxies. Within a pass: rounds, then
# workloads, protocols and client counts, and the three targets innermost, so that drift of the
# machine spreads over the targets of a row instead of favouring one.

selected_clients() { # pool_mode: the client counts of the table for that mode
    local clients
    for clients in $CLIENT_COUNTS; do
        [[ $1 == session && $clients -gt $SESSION_MAX_CLIENTS ]] && continue
        printf '%s ' "$clients"
    done
}

started_at=$(date +%s)
first_pass=1
for pool_mode in $POOL_MODES; do
    log "pass: pool mode $pool_mode, pool size $POOL_SIZE"
    write_pgbouncer_ini "$work_dir/pgbouncer-$pool_mode.ini" "$pool_mode" trust "$work_dir/userlist.txt"
    write_pgbouncer_ini "$work_dir/pgbouncer-$pool_mode-scram.ini" "$pool_mode" scram-sha-256 "$work_dir/userlist-scram.txt"
    write_pgwarden_yaml "$work_dir/pgwarden-$pool_mode.yaml" "$pool_mode"
    start_pgbouncer "$work_dir/pgbouncer-$pool_mode.ini" "$pgbouncer_port"
    start_pgwarden "$work_dir/pgwarden-$pool_mode.yaml" "$pgwarden_port"
    PID_OF=([pgbouncer]=$pgbouncer_pid [pgwarden]=$pgwarden_pid)

    if [[ " $WORKLOADS " == *" select "* || " $WORKLOADS " == *" tpcb "* ]]; then
        for target in "${TARGETS[@]}"; do
            [[ $target == direct && $first_pass == 0 ]] && continue
            log "$target: warm-up, ${WARMUP} s select-only per protocol"
            warm_up "$target" select "$MODES" 16
        done
    fi
    for ((round = 1; round <= REPEAT; round++)); do
        for workload in $WORKLOADS; do
            [[ $workload == connect ]] && continue
            for protocol in $MODES; do
                for clients in $(selected_clients "$pool_mode"); do
                    for target in "${TARGETS[@]}"; do
                        measure "$workload" "$protocol" "$clients" "$pool_mode" "$target" "$round"
                    done
                done
            done
        done
    done

    if [[ $pool_mode == "$idle_pass" ]]; then
        idle_measure pgbouncer "$pgbouncer_pid"
        idle_measure pgwarden "$pgwarden_pid"
    fi

    if [[ " $WORKLOADS " == *" connect "* ]]; then
        stop_pgbouncer
        start_pgbouncer "$work_dir/pgbouncer-$pool_mode-scram.ini" "$pgbouncer_port" "$SCRAM_USER"
        PID_OF[pgbouncer]=$pgbouncer_pid
        # Each target is warmed up right before each of its measured runs: a JVM left idle while the
        # others are measured loses compiled code (docs/benchmarks.md, "Pooling method").
        for ((round = 1; round <= REPEAT; round++)); do
            for target in "${TARGETS[@]}"; do
                log "$target: warm-up, ${WARMUP} s select-only -C"
                warm_up "$target" connect simple "$CONNECT_CLIENTS"
                measure connect simple "$CONNECT_CLIENTS" "$pool_mode" "$target" "$round"
            done
        done
    fi
    kill -0 "$pgwarden_pid" 2>/dev/null || errors+=("pgwarden exited during the $pool_mode pass; see its log")
    stop_pgwarden
    stop_pgbouncer
    first_pass=0
done
elapsed=$(($(date +%s) - started_at))

# ---------------------------------------------------------------------------------------------
# Report

cell() { # array-name key: the median of the rounds, or n/a
    local -n values=$1
    if [[ -n ${values[$2]:-} ]]; then median "${values[$2]}"; else printf 'n/a'; fi
}
tps_cell() { # key
    local tps
    tps=$(cell TPS_ALL "$1")
    [[ $tps != n/a ]] && tps=$(printf '%.0f' "$tps")
    printf '%s%s' "$tps" "${ERR[$1]:+ (errors)}"
}
cpu_cell() { # key: proxy CPU µs per transaction, one decimal
    local cpu
    cpu=$(cell CPU_ALL "$1")
    [[ $cpu != n/a ]] && cpu=$(printf '%.1f' "$cpu")
    printf '%s' "$cpu"
}
servers_cell() { # key: the most server connections of any round
    if [[ -n ${SERVERS_ALL[$1]:-} ]]; then
        # shellcheck disable=SC2086
        printf '%s\n' ${SERVERS_ALL[$1]} | sort -n | tail -n 1
    else
        printf 'n/a'
    fi
}
clean_median() { # array-name key: the median only when the run had no errors
    if [[ -z ${ERR[$2]:-} ]]; then cell "$1" "$2"; fi
}
error_cell() { # key
    if [[ -z ${SEEN[$1]:-} ]]; then printf '–'; elif [[ -n ${ERR[$1]:-} ]]; then printf '%s' "${ERR[$1]}"; else printf '0'; fi
}

table() {
    printf '| workload | protocol | clients | pool mode | direct tps | direct ms | PgBouncer tps | PgBouncer ms | PgBouncer CPU µs/tx | PgBouncer servers | pgwarden tps | pgwarden ms | pgwarden CPU µs/tx | pgwarden servers | **pgwarden / PgBouncer** | **pgwarden / direct** | errors: direct / PgBouncer / pgwarden |\n'
    printf '|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n'
    local workload protocol clients pool_mode protocols client_list base d b w
    for workload in $WORKLOADS; do
        protocols=$MODES
        client_list=$CLIENT_COUNTS
        if [[ $workload == connect ]]; then protocols=simple; client_list=$CONNECT_CLIENTS; fi
        for protocol in $protocols; do
            for clients in $client_list; do
                for pool_mode in $POOL_MODES; do
                    base=$workload,$protocol,$clients,$pool_mode
                    [[ -n ${SEEN[$base,direct]:-} ]] || continue
                    d=$base,direct
                    b=$base,pgbouncer
                    w=$base,pgwarden
                    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | **%s** | **%s** | %s / %s / %s |\n' \
                        "$(workload_label "$workload")" "$protocol" "$clients" "$pool_mode" \
                        "$(tps_cell "$d")" "$(cell LAT_ALL "$d")" \
                        "$(tps_cell "$b")" "$(cell LAT_ALL "$b")" "$(cpu_cell "$b")" "$(servers_cell "$b")" \
                        "$(tps_cell "$w")" "$(cell LAT_ALL "$w")" "$(cpu_cell "$w")" "$(servers_cell "$w")" \
                        "$(ratio "$(clean_median TPS_ALL "$w")" "$(clean_median TPS_ALL "$b")")" \
                        "$(ratio "$(clean_median TPS_ALL "$w")" "$(clean_median TPS_ALL "$d")")" \
                        "$(error_cell "$d")" "$(error_cell "$b")" "$(error_cell "$w")"
                done
            done
        done
    done
}

skipped=
for clients in $CLIENT_COUNTS; do
    if [[ " $POOL_MODES " == *" session "* ]] && ((clients > SESSION_MAX_CLIENTS)); then skipped+="$clients "; fi
done

command_line="DURATION=$DURATION WARMUP=$WARMUP SCALE=$SCALE JOBS=$JOBS CLIENT_COUNTS=\"$CLIENT_COUNTS\" POOL_MODES=\"$POOL_MODES\" MODES=\"$MODES\" WORKLOADS=\"$WORKLOADS\" CONNECT_CLIENTS=$CONNECT_CLIENTS POOL_SIZE=$POOL_SIZE SESSION_MAX_CLIENTS=$SESSION_MAX_CLIENTS IDLE_CONNECTIONS=$IDLE_CONNECTIONS REPEAT=$REPEAT${JAVA_OPTS:+ JAVA_OPTS=\"$JAVA_OPTS\"} bench/pool.sh"

# Backticks in the report are Markdown, not command substitution.
# shellcheck disable=SC2016
report=$(
    printf '## %s UTC, pooling (bench/pool.sh), pgwarden %s\n\n' "$(date -u '+%Y-%m-%d %H:%M')" "$(bench_commit)"
    machine_lines
    printf -- '- Command: `%s`; the whole run took %d min %d s\n' "$command_line" $((elapsed / 60)) $((elapsed % 60))
    printf -- '- Each run: `pgbench -n -c <clients> -j %s -T %s -M <protocol> [-S | -S -C]`, %s round(s), the median shown; database `pgbench -i -s %s`; PostgreSQL max_connections %s, shared_buffers 256MB, synchronous_commit off\n' \
        "$JOBS" "$DURATION" "$REPEAT" "$SCALE" "$pg_max_connections"
    printf -- '- PgBouncer: pool_mode as in the row, default_pool_size %s, max_client_conn %s, auth_type trust (scram-sha-256 with the SCRAM secret in auth_file for -C)\n' "$POOL_SIZE" "$max_client_conn"
    printf -- '- pgwarden: %s, `pool: { mode: <row>, size: %s }`, trust with a fixed login (for the -C SCRAM user: the scram plugin, scram-sha-256 against the same auth_file as PgBouncer), JAVA_OPTS `%s`\n' \
        "$pgwarden_launch" "$POOL_SIZE" "${JAVA_OPTS:-(none)}"
    [[ -n $skipped ]] && printf -- '- Not run: session mode with %sclients (more than SESSION_MAX_CLIENTS=%s; see "Pooling method")\n' "$skipped" "$SESSION_MAX_CLIENTS"
    printf '\n'
    table
    printf '\ntps and ms (pgbench'"'"'s average latency): medians of the rounds. CPU µs/tx: user + system time of the proxy process\n'
    printf 'during the run divided by the transactions completed. servers: the most connections from the proxy to PostgreSQL\n'
    printf 'seen during the run (sampled every second). Ratios: tps, only for runs without errors (higher is better for\n'
    printf 'pgwarden). "(errors)": the run had errors, listed below; its tps counts only the transactions that completed.\n'
    if [[ -n $idle_pass ]]; then
        printf '\nIdle client connections (%s mode, %s connections, trust logins, held open by bench/IdleClients.java):\n\n' "$idle_pass" "$IDLE_CONNECTIONS"
        printf -- '- PgBouncer: %s\n' "${IDLE[pgbouncer]:-not measured}"
        printf -- '- pgwarden: %s\n' "${IDLE[pgwarden]:-not measured}"
    fi
    errors_section
)

publish_report "$report"
