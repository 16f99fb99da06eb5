#!/usr/bin/env bash
# Audit overhead benchmark: pgbench select-only against direct PostgreSQL, PgBouncer, pgwarden
# without plugins and pgwarden with the audit plugin (file sink, default settings), side by side in
# one run, both proxies in transaction mode with the same pool size, on 127.0.0.1 only. Prints one
# Markdown table per protocol and client count (tps, proxy CPU per transaction, the ratios
# audit on / audit off, audit / PgBouncer and audit / direct), the audit file's size and the
# statement events written against the transactions pgbench reports, and appends it with the date
# and the machine to docs/benchmarks.md ("Audit overhead method" at the top of that file).
#
# The budget it checks (issue 7): with audit on, select-only tps stays within 5% of audit off. The
# two pgwardens run back to back in every round, so each round gives one ratio audit / pgwarden; the
# verdict is "yes" when the 95% confidence interval of the rounds' mean ratio lies at or above 0.95,
# "no" when it lies below, and "undecided" when it straddles 0.95 (more rounds narrow it).
#
# Usage (from anywhere, after `mvn -q -o package -DskipTests`):   bench/audit.sh
# Quick check:  DURATION=5 WARMUP=2 REPEAT=2 CLIENT_COUNTS=16 MODES=simple APPEND=0 bench/audit.sh
# Settings, all optional, as environment variables:
#   DURATION=20          seconds of each measured pgbench run
#   WARMUP=30            seconds of the unmeasured run per target, protocol and client count before the first round
#   REPEAT=3             rounds; within a round every target runs once per protocol and client count, and
#                        the two pgwarden targets swap places every round; the table shows the medians
#   SIDE_ROUNDS=REPEAT   the rounds (the first ones) that run direct and PgBouncer too; later rounds run
#                        only the two pgwardens, for more pairs in the same time
#   CLIENT_COUNTS="16 64"                pgbench -c values (as pool.sh's: fewer and more clients than the pool)
#   MODES="simple extended"              pgbench -M values (prepared works too; PgBouncer 1.18 fails it in transaction mode)
#   SCALE=10             pgbench -i -s
#   JOBS=2               pgbench -j (at most the number of clients)
#   POOL_SIZE=20         default_pool_size of PgBouncer, pool.size of both pgwardens
#   DRAIN_TIMEOUT=120    seconds the audit writer may take after a run to write what is queued
#   BENCH_DOC=docs/benchmarks.md         where the dated section is appended; APPEND=0 to skip
#   PGWARDEN_HOME, PG_BINDIR, JAVA_OPTS  as for relay.sh
#   KEEP_WORK_DIR=1      keep the temporary directory (pgbench outputs, logs, the audit files)
#
# Missing PostgreSQL, its client tools or PgBouncer are installed from Debian packages (root only).
# Everything started here (PostgreSQL, PgBouncer, two pgwardens, a temp directory with the audit
# files) is stopped and removed on exit, also on failure or Ctrl-C. Exit status 2 when any run had
# an error, a failed transaction, a dropped audit event, fewer statement events than transactions or
# an audit file that `pgwarden audit verify` rejects (the results are still appended, with the errors
# listed).

set -euo pipefail

DURATION=${DURATION:-20}
WARMUP=${WARMUP:-30}
REPEAT=${REPEAT:-3}
SIDE_ROUNDS=${SIDE_ROUNDS:-$REPEAT}
CLIENT_COUNTS=${CLIENT_COUNTS:-16 64}
MODES=${MODES:-simple extended}
SCALE=${SCALE:-10}
JOBS=${JOBS:-2}
POOL_SIZE=${POOL_SIZE:-20}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-120}
APPEND=${APPEND:-1}
JAVA_OPTS=${JAVA_OPTS:-}

BENCH_NAME=audit.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_DOC=${BENCH_DOC:-$repo_dir/docs/benchmarks.md}
TARGETS=(direct pgbouncer pgwarden audit)
BUDGET=0.95

require_positive DURATION WARMUP REPEAT SIDE_ROUNDS SCALE JOBS POOL_SIZE DRAIN_TIMEOUT
((SIDE_ROUNDS <= REPEAT)) || die "SIDE_ROUNDS ($SIDE_ROUNDS) must not exceed REPEAT ($REPEAT)"
for clients in $CLIENT_COUNTS; do
    [[ $clients =~ ^[0-9]+$ && $clients -gt 0 ]] || die "CLIENT_COUNTS holds '$clients', not a positive integer"
done
for mode in $MODES; do
    [[ $mode == simple || $mode == extended || $mode == prepared ]] || die "unknown protocol '$mode' in MODES"
done
[[ -n $CLIENT_COUNTS && -n $MODES ]] || die "CLIENT_COUNTS and MODES must not be empty"
[[ -f $(printf '%s\n' "$PGWARDEN_HOME"/plugins/pgwarden-audit-*.jar | head -n 1) ]] \
    || die "no audit plugin in $PGWARDEN_HOME/plugins; rebuild the distribution"

max_clients=0
for clients in $CLIENT_COUNTS; do ((clients > max_clients)) && max_clients=$clients; done

pg_port=$(free_port)
pgbouncer_port=$(free_port)
pgwarden_port=$(free_port)
audit_port=$(free_port)
pgwarden_admin_port=$(free_port)
audit_admin_port=$(free_port)
declare -A PORT=([direct]=$pg_port [pgbouncer]=$pgbouncer_port [pgwarden]=$pgwarden_port [audit]=$audit_port)

# ---------------------------------------------------------------------------------------------
# PostgreSQL: room for a direct run with the most clients plus three pools, as pool.sh's.

pg_max_connections=$((max_clients + 3 * POOL_SIZE + 60))
start_postgres "$pg_port" <<EOF
max_connections = $pg_max_connections
shared_buffers = 256MB
synchronous_commit = off
EOF
pgbench_init "$pg_port" "$SCALE"

# ---------------------------------------------------------------------------------------------
# PgBouncer: transaction pooling, trust for the bench user (listed with an empty password, as
# auth_file requires).

(umask 077 && printf '"%s" ""\n' "$DB_USER" >"$work_dir/userlist.txt")
cat >"$work_dir/pgbouncer.ini" <<EOF
[databases]
$DB = host=127.0.0.1 port=$pg_port dbname=$DB

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $pgbouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $work_dir/userlist.txt
pool_mode = transaction
default_pool_size = $POOL_SIZE
max_client_conn = $((max_clients + 100))
logfile = $work_dir/pgbouncer.log
pidfile = $work_dir/pgbouncer.pid
EOF
start_pgbouncer "$work_dir/pgbouncer.ini" "$pgbouncer_port"

# ---------------------------------------------------------------------------------------------
# pgwarden twice, alike but for the plugins: transaction pooling, trust with the bench login (so
# that the pool opens server connections itself, as PgBouncer does), the admin HTTP endpoint on
# for /metrics. "pgwarden" loads no plugin; "audit" loads the audit plugin with its defaults but
# the two required settings: a checkpoint key read from a file (mode 600) and the file path.

audit_dir=$work_dir/audit
audit_file=$audit_dir/audit.jsonl
mkdir -p "$audit_dir"
(umask 077 && head -c 32 /dev/urandom | xxd -p -c 64 >"$work_dir/audit.key")

write_pgwarden_yaml() { # file port admin_port plugins_dir plugins
    cat >"$1" <<EOF
listen: { host: 127.0.0.1, port: $2 }
backends:
  primary: { host: 127.0.0.1, port: $pg_port, tls: { mode: disable } }
auth:
  rules:
    - { user: $DB_USER, method: trust, backend: primary, login: { user: $DB_USER } }
plugins_dir: $4
plugins: $5
limits: { max_client_connections: $((max_clients + 100)) }
pool: { mode: transaction, size: $POOL_SIZE }
admin: { http: { listen: "127.0.0.1:$3" } }
EOF
}
write_pgwarden_yaml "$work_dir/pgwarden.yaml" "$pgwarden_port" "$pgwarden_admin_port" "$work_dir/plugins" "[]"
write_pgwarden_yaml "$work_dir/pgwarden-audit.yaml" "$audit_port" "$audit_admin_port" "$PGWARDEN_HOME/plugins" "
  - type: audit
    checkpoint_key: \"\${file:$work_dir/audit.key}\"
    file: { path: $audit_file }"
start_pgwarden "$work_dir/pgwarden.yaml" "$pgwarden_port" pgwarden
start_pgwarden "$work_dir/pgwarden-audit.yaml" "$audit_port" pgwarden-audit
declare -A PID_OF=([direct]="" [pgbouncer]=$pgbouncer_pid [pgwarden]=${pgwarden_pids[0]} [audit]=${pgwarden_pids[1]})

# ---------------------------------------------------------------------------------------------
# The audit files: counts of their events by type, and the drop counter. Rotated files
# (audit.jsonl.<time stamp>) are closed for good and counted once; the open file is counted anew.

declare -A ROTATED_COUNTS=()

count_types() { # file: "statement session_start session_end" counts
    # The type is the third key of every line, within its first 140 characters.
    cut -c 1-140 "$1" | awk 'match($0, /"type":"[a-z_]*"/) {c[substr($0, RSTART + 8, RLENGTH - 9)]++}
        END {printf "%d %d %d", c["statement"], c["session_start"], c["session_end"]}'
}

# Sets AUDIT_NOW to "statements session_starts session_ends bytes" over every file of the stream. No
# output: run in this shell, not in a subshell, so that ROTATED_COUNTS keeps what it counted.
AUDIT_NOW=
audit_counts() {
    local file statements=0 starts=0 ends=0 bytes=0 s a e b
    for file in "$audit_dir"/audit.jsonl.*; do
        [[ -f $file ]] || continue
        [[ -n ${ROTATED_COUNTS[$file]:-} ]] || ROTATED_COUNTS[$file]="$(count_types "$file") $(stat -c %s "$file")"
        read -r s a e b <<<"${ROTATED_COUNTS[$file]}"
        statements=$((statements + s)) starts=$((starts + a)) ends=$((ends + e)) bytes=$((bytes + b))
    done
    if [[ -f $audit_file ]]; then
        read -r s a e <<<"$(count_types "$audit_file")"
        statements=$((statements + s)) starts=$((starts + a)) ends=$((ends + e))
        bytes=$((bytes + $(stat -c %s "$audit_file")))
    fi
    AUDIT_NOW="$statements $starts $ends $bytes"
}

audit_dropped() { # pgwarden_audit_dropped_total summed over its sinks from the audit pgwarden's /metrics, empty when unreadable
    curl -s -f --max-time 5 "http://127.0.0.1:$audit_admin_port/metrics" 2>/dev/null \
        | awk '/^pgwarden_audit_dropped_total[{ ]/ {sum += $NF; found = 1} END {if (!found) exit 1; printf "%.0f", sum}' || true
}

# Waits until the writer has written every session's end (pgbench has disconnected, so every
# statement was queued before it) and two readings agree; AUDIT_NOW holds the counts then.
audit_drained() {
    local previous='' i statements starts ends bytes
    for ((i = 0; i < DRAIN_TIMEOUT * 2; i++)); do
        audit_counts
        read -r statements starts ends bytes <<<"$AUDIT_NOW"
        if ((starts == ends)) && [[ $AUDIT_NOW == "$previous" ]]; then
            return 0
        fi
        previous=$AUDIT_NOW
        sleep 0.5
    done
    log "the audit writer did not catch up within $DRAIN_TIMEOUT s (session starts $starts, ends $ends)"
    return 1
}

# ---------------------------------------------------------------------------------------------
# One pgbench run. A run that does not end within 20 s after its duration is stopped and counted
# as an error.

declare -A TPS_ALL=() TPS_ROUND=() CPU_ALL=() ERR=() TX_SUM=() EVENTS_SUM=() BYTES_SUM=() DROPPED_SUM=()
errors=()
CLK_TCK=$(getconf CLK_TCK)

pgbench_args() { # protocol clients seconds port: prints the argument list, one per line
    local jobs=$JOBS
    (($2 < jobs)) && jobs=$2
    printf '%s\n' -n -S -c "$2" -j "$jobs" -T "$3" -M "$1" -h 127.0.0.1 -p "$4" -U "$DB_USER" "$DB"
}

run_errors() { # outfile exit_status: an error summary, empty when the run was clean
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

run_pgbench() { # target protocol clients seconds outfile: pgbench's exit status
    local args
    mapfile -t args < <(pgbench_args "$2" "$3" "$4" "${PORT[$1]}")
    timeout -k 10 $(($4 + 20)) "$PG_BINDIR/pgbench" "${args[@]}" >"$5" 2>&1
}

measure() { # target protocol clients round
    local target=$1 protocol=$2 clients=$3 round=$4
    local key=$protocol,$clients,$target out rc=0 proxy_pid ticks_before='' ticks_after='' cpu='' tps transactions
    local problem before='' after statements0 statements1 bytes0 bytes1 dropped0='' dropped1='' events='' audit_note=''
    out=$work_dir/run-$round-$target-$protocol-$clients.log
    proxy_pid=${PID_OF[$target]}
    if [[ $target == audit ]]; then
        audit_drained || errors+=("audit, -M $protocol, $clients clients, round $round: the writer had not caught up before the run")
        before=$AUDIT_NOW
        dropped0=$(audit_dropped)
    fi
    [[ -n $proxy_pid ]] && ticks_before=$(cpu_ticks "$proxy_pid")
    run_pgbench "$target" "$protocol" "$clients" "$DURATION" "$out" || rc=$?
    [[ -n $ticks_before ]] && ticks_after=$(cpu_ticks "$proxy_pid")
    tps=$(awk '/^tps = / {print $3; exit}' "$out")
    transactions=$(awk '/^number of transactions actually processed: / {print $6; exit}' "$out")
    if [[ -n $ticks_before && -n $ticks_after && ${transactions:-0} -gt 0 ]]; then
        cpu=$(awk -v t=$((ticks_after - ticks_before)) -v hz="$CLK_TCK" -v n="$transactions" 'BEGIN {printf "%.1f", t * 1000000 / hz / n}')
    fi
    problem=$(run_errors "$out" "$rc")
    if [[ $target == audit ]]; then
        audit_drained || problem+="${problem:+, }the audit writer did not catch up within $DRAIN_TIMEOUT s"
        after=$AUDIT_NOW
        dropped1=$(audit_dropped)
        read -r statements0 _ _ bytes0 <<<"$before"
        read -r statements1 _ _ bytes1 <<<"$after"
        events=$((statements1 - statements0))
        EVENTS_SUM[$key]=$((${EVENTS_SUM[$key]:-0} + events))
        TX_SUM[$key]=$((${TX_SUM[$key]:-0} + ${transactions:-0}))
        BYTES_SUM[$key]=$((${BYTES_SUM[$key]:-0} + bytes1 - bytes0))
        if [[ -n $dropped0 && -n $dropped1 ]]; then
            [[ ${DROPPED_SUM[$key]:-0} == unknown ]] || DROPPED_SUM[$key]=$((${DROPPED_SUM[$key]:-0} + dropped1 - dropped0))
            ((dropped1 > dropped0)) && problem+="${problem:+, }$((dropped1 - dropped0)) audit events dropped"
        else
            DROPPED_SUM[$key]=unknown
            problem+="${problem:+, }pgwarden_audit_dropped_total not readable from /metrics"
        fi
        ((events < ${transactions:-0})) && problem+="${problem:+, }$events statement events for $transactions transactions"
        audit_note=", $events statement events for ${transactions:-0} transactions, $(mib $(((bytes1 - bytes0) / 1024))) MiB written"
    fi
    if [[ -n $tps && -z $problem ]]; then
        TPS_ALL[$key]+="$tps "
        TPS_ROUND[$key,$round]=$tps
    fi
    [[ -n $cpu && -z $problem ]] && CPU_ALL[$key]+="$cpu "
    if [[ -n $problem ]]; then
        ERR[$key]+="${ERR[$key]:+; }$problem"
        errors+=("$target, -M $protocol, $clients clients, round $round: $problem: $(error_lines "$out" 2)")
    fi
    log "round $round/$REPEAT, $target -M $protocol -c $clients: tps ${tps:-none}${cpu:+, proxy CPU $cpu us/tx}$audit_note${problem:+, ERRORS: $problem}"
}

# ---------------------------------------------------------------------------------------------
# Runs: rounds outside, then protocols and client counts, then the targets. The two pgwarden
# targets run back to back and swap places every round (pgwarden, audit; then audit, pgwarden; ...),
# so that neither always runs right after the other and each round's pair saw the same machine. The
# first round warms every target up first (JIT, caches). Rounds after SIDE_ROUNDS run only the pair.

started=$SECONDS
for ((round = 1; round <= REPEAT; round++)); do
    if ((round % 2)); then order=(pgwarden audit); else order=(audit pgwarden); fi
    ((round <= SIDE_ROUNDS)) && order=(direct pgbouncer "${order[@]}")
    for mode in $MODES; do
        for clients in $CLIENT_COUNTS; do
            for target in "${order[@]}"; do
                if ((round == 1)); then
                    rc=0
                    run_pgbench "$target" "$mode" "$clients" "$WARMUP" "$work_dir/warmup-$target-$mode-$clients.log" || rc=$?
                    ((rc == 0)) || log "$target warm-up -M $mode -c $clients: pgbench exit $rc (see the measured runs)"
                fi
                measure "$target" "$mode" "$clients" "$round"
            done
        done
    done
done
elapsed=$((SECONDS - started))
for target in pgwarden audit; do
    kill -0 "${PID_OF[$target]}" 2>/dev/null || errors+=("$target exited during the run; see its log")
done
audit_counts
read -r total_statements total_starts _ total_bytes <<<"$AUDIT_NOW"
audit_files=$(find "$audit_dir" -type f -name 'audit.jsonl*' | wc -l)

# Every audit file of the run must pass `pgwarden audit verify` with the key: the benchmark must not
# have broken the chain. The open file has no closing checkpoint yet, which verify accepts.
verified=0
for file in "$audit_dir"/audit.jsonl*; do
    [[ -f $file ]] || continue
    if "$PGWARDEN_HOME/bin/pgwarden" audit verify "$file" --key-file "$work_dir/audit.key" >"$work_dir/verify.log" 2>&1; then
        verified=$((verified + 1))
    else
        errors+=("pgwarden audit verify $(basename "$file"): $(head -n 3 "$work_dir/verify.log" | tr '\n' ' ')")
    fi
done
log "pgwarden audit verify: $verified of $audit_files audit file(s) intact"

# ---------------------------------------------------------------------------------------------
# Report

clean_median() { # array key: the median of the clean rounds, empty when none
    local -n values=$1
    if [[ -z ${ERR[$2]:-} && -n ${values[$2]:-} ]]; then median "${values[$2]}"; fi
}
tps_cell() { local m; m=$(clean_median TPS_ALL "$1"); if [[ -n $m ]]; then printf '%.0f' "$m"; else printf 'ERROR'; fi; }
cpu_cell() { local m; m=$(clean_median CPU_ALL "$1"); if [[ -n $m ]]; then printf '%.1f' "$m"; else printf 'n/a'; fi; }
tps_ratio() { ratio "$(clean_median TPS_ALL "$1")" "$(clean_median TPS_ALL "$2")"; }
pair_ratios() { # key_on key_off: the ratio on / off of every round where both ran clean, in round order
    local round
    for ((round = 1; round <= REPEAT; round++)); do
        if [[ -n ${TPS_ROUND[$1,$round]:-} && -n ${TPS_ROUND[$2,$round]:-} ]]; then
            awk -v a="${TPS_ROUND[$1,$round]}" -v b="${TPS_ROUND[$2,$round]}" 'BEGIN {printf "%.4f ", a / b}'
        fi
    done
}

# The rounds' ratios as "n mean low high": their geometric mean and its 95% confidence interval
# (Student's t on the logarithms, so that 0.9 and 1/0.9 weigh alike); nothing for fewer than 2.
pair_stats() { # ratios
    awk -v list="$1" 'BEGIN {
        n = split(list, r, " ")
        if (n < 2) exit
        split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 2.201 2.179 2.160 2.145 2.131 2.120 2.110 2.101 2.093 2.086 2.080 2.074 2.069 2.064 2.060 2.056 2.052 2.048 2.045 2.042", t, " ")
        for (i = 1; i <= n; i++) {x[i] = log(r[i]); sum += x[i]}
        mean = sum / n
        for (i = 1; i <= n; i++) ss += (x[i] - mean) ^ 2
        q = (n - 1 <= 30) ? t[n - 1] : 1.96 + 2.5 / (n - 1)
        half = q * sqrt(ss / (n - 1) / n)
        printf "%d %.3f %.3f %.3f", n, exp(mean), exp(mean - half), exp(mean + half)
    }'
}

paired_cell() { # stats (as pair_stats prints them): "mean (low–high, n)"
    local n mean low high
    read -r n mean low high <<<"$1"
    if [[ -z $n ]]; then printf 'n/a'; else printf '%s (%s–%s, %s)' "$mean" "$low" "$high" "$n"; fi
}

budget_cell() { # stats key_on key_off: yes when the interval lies at or above the budget, no when below it
    local n mean low high
    read -r n mean low high <<<"$1"
    if [[ -z $n || -n ${ERR[$2]:-} || -n ${ERR[$3]:-} ]]; then printf 'n/a'
    elif awk -v x="$low" -v b="$BUDGET" 'BEGIN {exit !(x >= b)}'; then printf 'yes'
    elif awk -v x="$high" -v b="$BUDGET" 'BEGIN {exit !(x < b)}'; then printf '**no**'
    else printf 'undecided'; fi
}

table() {
    local mode clients base stats
    printf '| protocol | clients | direct tps | PgBouncer tps (CPU µs/tx) | pgwarden tps (CPU µs/tx) | pgwarden + audit tps (CPU µs/tx) | audit on / off, medians | **audit on / off, paired rounds (95%% CI, rounds)** | within 5%% | audit / PgBouncer | audit / direct | CPU audit on / off | statement events / transactions | dropped | audit bytes/tx |\n'
    printf '|---|---:|---:|---:|---:|---:|---:|---:|:---:|---:|---:|---:|---:|---:|---:|\n'
    for mode in $MODES; do
        for clients in $CLIENT_COUNTS; do
            base=$mode,$clients
            stats=$(pair_stats "$(pair_ratios "$base,audit" "$base,pgwarden")")
            printf '| %s | %s | %s | %s (%s) | %s (%s) | %s (%s) | %s | **%s** | %s | %s | %s | %s | %s / %s | %s | %s |\n' \
                "$mode" "$clients" "$(tps_cell "$base,direct")" \
                "$(tps_cell "$base,pgbouncer")" "$(cpu_cell "$base,pgbouncer")" \
                "$(tps_cell "$base,pgwarden")" "$(cpu_cell "$base,pgwarden")" \
                "$(tps_cell "$base,audit")" "$(cpu_cell "$base,audit")" \
                "$(tps_ratio "$base,audit" "$base,pgwarden")" "$(paired_cell "$stats")" \
                "$(budget_cell "$stats" "$base,audit" "$base,pgwarden")" \
                "$(tps_ratio "$base,audit" "$base,pgbouncer")" "$(tps_ratio "$base,audit" "$base,direct")" \
                "$(ratio "$(clean_median CPU_ALL "$base,audit")" "$(clean_median CPU_ALL "$base,pgwarden")")" \
                "${EVENTS_SUM[$base,audit]:-0}" "${TX_SUM[$base,audit]:-0}" "${DROPPED_SUM[$base,audit]:-unknown}" \
                "$(if ((${TX_SUM[$base,audit]:-0} > 0)); then awk -v b="${BYTES_SUM[$base,audit]}" -v t="${TX_SUM[$base,audit]}" 'BEGIN {printf "%.0f", b / t}'; else printf 'n/a'; fi)"
        done
    done
}

rounds_lines() {
    local mode clients target
    for mode in $MODES; do
        for clients in $CLIENT_COUNTS; do
            for target in "${TARGETS[@]}"; do
                printf -- '- -M %s -c %s, %s: %s\n' "$mode" "$clients" "$target" \
                    "$(printf '%s' "${TPS_ALL[$mode,$clients,$target]:-}" | awk '{for (i = 1; i <= NF; i++) printf "%s%.0f", (i > 1 ? ", " : ""), $i}
                        END {if (NR == 0 || NF == 0) printf "no clean round"}')"
            done
            printf -- '- -M %s -c %s, audit / pgwarden in each round with both clean: %s\n' "$mode" "$clients" \
                "$(pair_ratios "$mode,$clients,audit" "$mode,$clients,pgwarden" | awk '{for (i = 1; i <= NF; i++) printf "%s%.2f", (i > 1 ? ", " : ""), $i}
                    END {if (NR == 0 || NF == 0) printf "none"}')"
        done
    done
}

command_line="DURATION=$DURATION WARMUP=$WARMUP REPEAT=$REPEAT SIDE_ROUNDS=$SIDE_ROUNDS CLIENT_COUNTS=\"$CLIENT_COUNTS\" MODES=\"$MODES\" SCALE=$SCALE JOBS=$JOBS POOL_SIZE=$POOL_SIZE${JAVA_OPTS:+ JAVA_OPTS=\"$JAVA_OPTS\"} bench/audit.sh"

# Backticks in the report are Markdown, not command substitution.
# shellcheck disable=SC2016
report=$(
    printf '## %s UTC, audit overhead (bench/audit.sh), pgwarden %s\n\n' "$(date -u '+%Y-%m-%d %H:%M')" "$(bench_commit)"
    machine_lines
    printf -- '- Command: `%s`; the whole run took %d min %d s\n' "$command_line" $((elapsed / 60)) $((elapsed % 60))
    printf -- '- Each run: `pgbench -n -S -c <clients> -j %s -T %s -M <protocol>`, %s round(s) of the two pgwardens back to back, direct and PgBouncer in the first %s, the median shown, a %s s warm-up per target, protocol and client count before the first; database `pgbench -i -s %s`\n' \
        "$JOBS" "$DURATION" "$REPEAT" "$SIDE_ROUNDS" "$WARMUP" "$SCALE"
    printf -- '- PgBouncer: pool_mode transaction, default_pool_size %s, auth_type trust\n' "$POOL_SIZE"
    printf -- '- pgwarden (both): %s, trust with a fixed login, `pool: { mode: transaction, size: %s }`, admin HTTP on, JAVA_OPTS `%s`; "pgwarden": no plugin; "pgwarden + audit": the audit plugin with its defaults (`file.path` and `checkpoint_key` from a file)\n' \
        "$pgwarden_launch" "$POOL_SIZE" "${JAVA_OPTS:-(none)}"
    printf -- '- Audit files: %s MiB in %s file(s) (rotation at the default 100MiB), %s statement and %s session_start events in all, warm-ups included; `pgwarden audit verify` with the key: %s of %s intact\n\n' \
        "$(mib $((total_bytes / 1024)))" "$audit_files" "$total_statements" "$total_starts" "$verified" "$audit_files"
    table
    printf '\ntps: medians of the clean rounds. CPU µs/tx: user + system time of the proxy process (the audit writer\n'
    printf 'thread included) during the run divided by the transactions completed. Ratios: tps, higher is better for the\n'
    printf 'audit. Paired rounds: the geometric mean of audit / pgwarden over the rounds where both ran clean (the two\n'
    printf 'ran back to back), with its 95%% confidence interval (Student'"'"'s t on the logarithms) and the number of\n'
    printf 'rounds; "within 5%%": yes when the interval lies at or above %s, no when it lies below, undecided when it\n' "$BUDGET"
    printf 'straddles it. Statement events: the `statement` lines the measured runs\n'
    printf 'added to the audit files, summed over the rounds, against the transactions pgbench reported; there must be\n'
    printf 'at least as many (a few more are pgbench'"'"'s own start-up queries), and `dropped` (the growth of\n'
    printf '`pgwarden_audit_dropped_total` in /metrics) must be 0, else the run is invalid and listed below.\n\n'
    printf 'tps of each round:\n\n'
    rounds_lines
    errors_section
)

publish_report "$report"
