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

BENCH_NAME=relay.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_DOC=${BENCH_DOC:-$repo_dir/docs/benchmarks.md}
TARGETS=(direct pgbouncer pgwarden)

require_positive DURATION WARMUP CLIENTS JOBS SCALE REPEAT
for mode in $MODES; do
    [[ $mode == simple || $mode == extended || $mode == prepared ]] || die "unknown mode '$mode' in MODES"
done

pg_port=$(free_port)
pgbouncer_port=$(free_port)
pgwarden_port=$(free_port)
declare -A PORT=([direct]=$pg_port [pgbouncer]=$pgbouncer_port [pgwarden]=$pgwarden_port)

start_postgres "$pg_port" <<EOF
max_connections = 200
EOF
pgbench_init "$pg_port" "$SCALE"

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
start_pgbouncer "$work_dir/pgbouncer.ini" "$pgbouncer_port"

# ---------------------------------------------------------------------------------------------
# pgwarden: one backend, the passthrough rule (PostgreSQL itself authenticates the client: trust),
# session pooling with room for every client, as PgBouncer's.
# An empty plugins directory: the relay is measured without any plugin loaded.
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
pool: { mode: session, size: 100 }
EOF
start_pgwarden "$work_dir/pgwarden.yaml" "$pgwarden_port"

# ---------------------------------------------------------------------------------------------
# Runs. Rounds outside, then modes, then targets, so that drift of the machine during the run spreads
# over the targets instead of favouring one. The first round warms each target and mode up first.

declare -A TPS=() LAT=() RC=() CPU=() TPS_ALL=() LAT_ALL=() CPU_ALL=()
declare -A PID_OF=([direct]="" [pgbouncer]=$pgbouncer_pid [pgwarden]=$pgwarden_pid)
errors=()
CLK_TCK=$(getconf CLK_TCK)

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
                    errors+=("$target -M $mode warm-up: $(error_lines "$work_dir/warmup-$target-$mode.log" 3)")
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
                errors+=("$target -M $mode round $round: pgbench exit $rc, failed transactions ${failed:-?}: $(error_lines "$out" 3)")
            else
                TPS_ALL[$key]+="$tps "
                LAT_ALL[$key]+="$lat "
                [[ -n $cpu ]] && CPU_ALL[$key]+="$cpu "
            fi
            log "round $round/$REPEAT, $target -M $mode: tps ${tps:-none}, latency ${lat:-none} ms${cpu:+, proxy CPU $cpu us/transaction}"
        done
    done
done

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

command_line="DURATION=$DURATION WARMUP=$WARMUP CLIENTS=$CLIENTS JOBS=$JOBS SCALE=$SCALE REPEAT=$REPEAT MODES=\"$MODES\"${JAVA_OPTS:+ JAVA_OPTS=\"$JAVA_OPTS\"} bench/relay.sh"
pgbench_line="pgbench -n -S -c $CLIENTS -j $JOBS -T $DURATION -M <mode> -h 127.0.0.1 -p <port> -U $DB_USER $DB"

# Backticks in the report are Markdown, not command substitution.
# shellcheck disable=SC2016
report=$(
    printf '## %s UTC, pgwarden %s\n\n' "$(date -u '+%Y-%m-%d %H:%M')" "$(bench_commit)"
    machine_lines
    printf -- '- Command: `%s`\n' "$command_line"
    printf -- '- Each run: `%s`; %s rounds over all targets and modes, a %s s warm-up run per target and mode before the first; database `pgbench -i -s %s`\n' \
        "$pgbench_line" "$REPEAT" "$WARMUP" "$SCALE"
    printf -- '- pgwarden: %s, passthrough rule, session pool of 100, no plugins, JAVA_OPTS `%s`\n' "$pgwarden_launch" "${JAVA_OPTS:-(none)}"
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
    errors_section
)

publish_report "$report"
