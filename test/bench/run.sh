#!/usr/bin/env bash
#
# corm registration benchmarks (SPEC §10), run by `make bench`.
#
#   1. Registering N models (a realistic mix: model class, mixins, joined,
#      single-table and abstract inheritance, foreign keys with their indexes)
#      in one transaction, against replaying the DDL corm.ddl() gives for
#      them (its CREATE INDEX statements included) in one transaction.
#      Goal: corm / replay <= 1.2 (SPEC §10, 0.2; it was 1.5 for 0.1).
#   2. Registering 100 models into a near-empty catalog, against the same
#      100 into a catalog already holding 5,000 (and 10,000) models.
#      Goal: per-model time big / near-empty <= 1.2.
#
# Runs against the server the PG* environment variables name (so both
# `make bench` on a dev cluster and `pg_virtualenv -v 15 make bench` work),
# in databases of its own that it drops at the end.  Every figure is the best
# (minimum) of several rounds, both sides of a ratio measured in the same run,
# their rounds interleaved.  Each timed side runs in one transaction, timed
# with clock_timestamp() inside the session, and is rolled back, so every
# round starts from the same state.  Goals are reported (PASS / OVER), not
# asserted: the exit status is 0 unless a benchmark could not run.
#
# Environment:
#   BENCH_ROUNDS   rounds per measurement, benchmark 1        (default 5;
#                  3/5 of it, at least 1, from 1000 models on)
#   BENCH_ROUNDS2  rounds per measurement, benchmark 2        (default 7)
#   BENCH_SIZES    model counts for benchmark 1               (default "300 1000")
#   BENCH_BIG      catalog sizes for benchmark 2, ascending   (default "5000 10000")
#   BENCH_BATCH    models per transaction while filling       (default 100)
#   BENCH_PROFILE  1: where corm's time goes, by SQL statement, when
#                  pg_stat_statements is in shared_preload_libraries (default 1)
#   BENCH_ADMIN_DB database to connect to for CREATE/DROP DATABASE
#                  (default $PGDATABASE, else postgres)
#
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROUNDS=${BENCH_ROUNDS:-5}
ROUNDS2=${BENCH_ROUNDS2:-7}
SIZES=${BENCH_SIZES-300 1000}
BIG=${BENCH_BIG-5000 10000}
BATCH=${BENCH_BATCH:-100}
PROFILE=${BENCH_PROFILE:-1}
ADMIN_DB=${BENCH_ADMIN_DB:-${PGDATABASE:-postgres}}
GOAL_REPLAY=1.2
GOAL_BIG=1.2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/corm-bench.XXXXXX")
tag="corm_bench_$$"
DB_REG="${tag}_reg"         # benchmark 1, corm side
DB_REPLAY="${tag}_replay"   # benchmark 1, replay side (corm installed, its catalog empty)
DB_SMALL="${tag}_small"     # benchmark 2, near-empty catalog
DB_BIG="${tag}_big"         # benchmark 2, big catalog
failed=0

psql_() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

cleanup() {
    for db in "$DB_REG" "$DB_REPLAY" "$DB_SMALL" "$DB_BIG"; do
        psql_ -d "$ADMIN_DB" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# after a failed psql run (stderr in $tmp/err): the error, and the call that
# caused it when it came from a script file
report_error() {
    echo "  ERROR while $1:"
    sed 's/^/    /' "$tmp/err"
    local loc file line
    loc=$(sed -n 's/^psql:\(.*\):\([0-9][0-9]*\): ERROR:.*/\1:\2/p' "$tmp/err" | head -n 1)
    if [ -n "$loc" ]; then
        file=${loc%:*}
        line=${loc##*:}
        if [ -f "$file" ]; then
            echo "    the statement ($(basename "$file") line $line):"
            sed -n "${line}p" "$file" | sed 's/^/      /'
        fi
    fi
    if grep -q max_locks_per_transaction "$tmp/err"; then
        echo "    (one transaction creating this many objects needs more locks than the server has free: run with"
        echo "     max_locks_per_transaction raised, e.g. pg_virtualenv -v 15 -o max_locks_per_transaction=256 make bench)"
    fi
    failed=1
}

# run a psql script file in a database; stdout into $tmp/out
run() {  # db file what
    if ! psql_ -d "$1" -f "$2" >"$tmp/out" 2>"$tmp/err"; then
        report_error "$3"
        return 1
    fi
}

create_db() {  # name [setup: corm with the model class and mixins | ext: corm alone]
    psql_ -d "$ADMIN_DB" -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" -c "CREATE DATABASE \"$1\"" \
        >/dev/null 2>"$tmp/err" || { report_error "creating database $1"; return 1; }
    if [ "${2:-}" = ext ]; then
        psql_ -d "$1" -c "CREATE EXTENSION corm" >/dev/null 2>"$tmp/err" \
            || { report_error "creating extension corm in $1"; return 1; }
    elif [ "${2:-}" = setup ]; then
        run "$1" "$here/setup.sql" "registering the model class and mixins (test/bench/setup.sql)"
    fi
}

gen_models() {  # prefix first-group count outfile
    psql_ -d "$ADMIN_DB" -v prefix="$1" -v g0="$2" -v n="$3" -v out="$4" \
        -f "$here/models.sql" >/dev/null 2>"$tmp/err" || { report_error "generating models"; return 1; }
}

WARM_CORM="BEGIN;
SELECT corm.register_model('BenchWarmUp', model_class => 'IdModel', mixins => '{TimestampMixin}', columns => 'x integer');
ROLLBACK;"
WARM_DDL="BEGIN;
CREATE TABLE bench_warm_up (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, x integer);
ROLLBACK;"
VACUUM_CATALOGS="VACUUM pg_catalog.pg_class, pg_catalog.pg_attribute, pg_catalog.pg_type,
    pg_catalog.pg_depend, pg_catalog.pg_constraint, pg_catalog.pg_index,
    pg_catalog.pg_attrdef, pg_catalog.pg_sequence, pg_catalog.pg_shdepend;"

# One timed round in a fresh session: warm up, vacuum the catalogs the
# rolled-back rounds before left dead rows in, then time the body file in
# one transaction and roll it back.  Prints the milliseconds, wall clock and
# the backend's CPU time; when the round fails, the error (which the caller
# prints: a failure inside $(...) would otherwise go unseen).
measure() {  # db body-file warm-up-sql -> "wall-ms cpu-ms" on stdout
    local db=$1 body=$2 warm=$3
    cat >"$tmp/round.sql" <<EOF
SET client_min_messages = warning;
\\o /dev/null
$warm
$VACUUM_CATALOGS
BEGIN;
SELECT $CPU_MS AS bench_cpu0, clock_timestamp() AS bench_t0 \\gset
\\i $body
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'bench_t0'::timestamptz), 1) AS bench_ms,
       $CPU_MS - :bench_cpu0 AS bench_cpu \\gset
ROLLBACK;
\\o
\\echo BENCH_MS :bench_ms :bench_cpu
EOF
    run "$db" "$tmp/round.sql" "a timed round of $(basename "$body") in database $db" || return 1
    sed -n 's/^BENCH_MS //p' "$tmp/out"
}

# best (minimum) and median of the numbers on stdin; column N of a file
best() { sort -g | head -n 1; }
col() { awk -v c="$1" '{ print $c }' "$2"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v g="$2" 'BEGIN { print (r <= g) ? "PASS" : "OVER" }'; }

# Where corm's time goes, by SQL statement, when pg_stat_statements is
# loaded: one more (untimed) round of the body with track = all, so that the
# statements corm runs through SPI (its catalog queries and the DDL it
# generates) are counted beside the top-level calls, with the time spent
# planning them.  What the top-level calls took beyond their nested
# statements is corm's own C code (parsing, resolving, generating).
profile() {  # db body-file what
    cat >"$tmp/profile.sql" <<EOF
SET client_min_messages = warning;
\\o /dev/null
CREATE SCHEMA IF NOT EXISTS bench_pgss;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA bench_pgss;
SET pg_stat_statements.track = 'all';
SET pg_stat_statements.track_utility = on;
SET pg_stat_statements.track_planning = on;
SELECT bench_pgss.pg_stat_statements_reset();
BEGIN;
\\i $2
ROLLBACK;
\\o
\\pset footer off
WITH s AS (
    SELECT toplevel, calls, total_exec_time AS ms, total_plan_time AS plan_ms,
           CASE WHEN toplevel THEN 'top level: ' || substring(query from '^\\s*SELECT\\s+([a-z_.]+)') || '() calls'
                WHEN query ~* '^\\s*(CREATE|ALTER|DROP|COMMENT|GRANT)\\M'
                THEN 'DDL corm ran: ' || substring(query from '^\\s*(CREATE\\s+OR\\s+REPLACE\\s+\\w+|\\w+\\s+\\w+)')
                ELSE 'query corm ran: ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 90)
           END AS what
      FROM bench_pgss.pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND query !~* '^\\s*(BEGIN|ROLLBACK|SET|SELECT bench_pgss\\.)'),
     g AS (
    SELECT sum(ms) + coalesce(sum(plan_ms) FILTER (WHERE NOT toplevel), 0) AS ms,
           sum(plan_ms) FILTER (WHERE NOT toplevel) AS plan_ms, sum(calls) AS calls, what
      FROM s GROUP BY what
    UNION ALL
    SELECT sum(ms + plan_ms), sum(plan_ms), sum(calls), '(all the DDL corm ran)'
      FROM s WHERE NOT toplevel AND what LIKE 'DDL%'
    UNION ALL
    SELECT sum(ms + plan_ms), sum(plan_ms), sum(calls), '(all the queries corm ran)'
      FROM s WHERE NOT toplevel AND what NOT LIKE 'DDL%'
    UNION ALL
    SELECT sum(ms) FILTER (WHERE toplevel) - sum(ms + plan_ms) FILTER (WHERE NOT toplevel), NULL, NULL,
           '(top level minus the statements below it: corm''s own C code)' FROM s)
SELECT round(ms::numeric, 1) AS total_ms, round(plan_ms::numeric, 1) AS of_it_planning,
       calls, round((ms / nullif(calls, 0))::numeric, 3) AS ms_each, what
  FROM g ORDER BY ms DESC NULLS LAST LIMIT 18;
SELECT format('(pg_stat_statements.max = %s was too small: entries were evicted %s times, so the sums above are short)',
              current_setting('pg_stat_statements.max'), dealloc)
  FROM bench_pgss.pg_stat_statements_info WHERE dealloc > 0 \\g (tuples_only=on)
EOF
    if run "$1" "$tmp/profile.sql" "profiling $3"; then
        echo "     where the time goes, $3 (pg_stat_statements, track = all, one more round):"
        sed -e '/^$/d' -e 's/^/       /' "$tmp/out"
    fi
}

started=$(date +%s)
server=$(psql_ -d "$ADMIN_DB" -Atc "SELECT current_setting('server_version')" 2>"$tmp/err") \
    || { report_error "connecting to the server"; exit 1; }
# the installed corm library, to warn when it is reinstalled during the run
# (only when the server is on this machine; Debian's extension_destdir counts)
libdir=$(psql_ -d "$ADMIN_DB" -Atc "SELECT setting FROM pg_catalog.pg_config WHERE name = 'PKGLIBDIR'" 2>/dev/null)
destdir=$(psql_ -d "$ADMIN_DB" -Atc "SELECT current_setting('extension_destdir', true)" 2>/dev/null)
corm_so="$destdir$libdir/corm.so"
[ -f "$corm_so" ] || corm_so="$libdir/corm.so"
corm_so_stamp() { [ -f "$corm_so" ] && stat -c %Y "$corm_so"; }
so_stamp=$(corm_so_stamp)
profiling=0
if [ "$PROFILE" = 1 ] &&
   [ "$(psql_ -d "$ADMIN_DB" -Atc "SELECT current_setting('shared_preload_libraries') ~ 'pg_stat_statements'")" = t ]; then
    profiling=1
fi

# The backend's CPU time (user + system, from /proc/self/stat, in clock ticks
# of 10 ms), when the server runs on Linux and lets us read it: a second
# figure beside the wall clock that time spent waiting for a CPU on a busy
# machine does not inflate.
CPU_MS="(SELECT (f[12]::bigint + f[13]::bigint) * 10
           FROM regexp_split_to_array(split_part(pg_catalog.pg_read_file('/proc/self/stat'), ') ', 2), ' ') AS f)"
psql_ -d "$ADMIN_DB" -Atc "SELECT $CPU_MS" >/dev/null 2>&1 || CPU_MS=0
cpu_note() { [ "$CPU_MS" = 0 ] || printf '  (cpu %s ms)' "$1"; }
cpu_ratio() { [ "$CPU_MS" = 0 ] || [ "$2" = 0 ] || printf '   (cpu time: %s %s)' "$(ratio "$1" "$2")" "$(verdict "$(ratio "$1" "$2")" "$3")"; }

echo "corm registration benchmark: PostgreSQL $server, ${PGHOST:-default socket}:${PGPORT:-5432}"
echo "every figure is the best (minimum) of several rounds, median in brackets; each side in one transaction"
[ "$CPU_MS" = 0 ] || echo "PASS/OVER is judged on wall-clock time; the backend's CPU time (best of the rounds) is shown beside it"
if [ $profiling = 0 ]; then
    echo "(to see where corm's time goes: pg_virtualenv -v 15 -o shared_preload_libraries=pg_stat_statements make bench)"
fi
echo

# ---------------------------------------------------------------- benchmark 1
echo "1. Registering N models in one transaction vs replaying their corm.ddl() in one transaction (goal <= $GOAL_REPLAY)"
summary=()
if [ -n "$SIZES" ] && create_db "$DB_REG" setup && create_db "$DB_REPLAY" ext; then
    for n in $SIZES; do
        models="$tmp/models_$n.sql"
        ddl="$tmp/ddl_$n.sql"
        gen_models T 0 "$n" "$models" || continue

        # once, untimed: register, keep the DDL and a fingerprint of the
        # schema, and how much of the time is spent inside register_model
        cat >"$tmp/capture.sql" <<EOF
SET client_min_messages = warning;
\\o /dev/null
SET track_functions = 'all';
BEGIN;
SELECT clock_timestamp() AS bench_t0 \\gset
\\i $models
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'bench_t0'::timestamptz), 1) AS bench_ms \\gset
SELECT coalesce(round(sum(total_time)::numeric, 1), 0) AS bench_fn_ms
  FROM pg_stat_xact_user_functions WHERE schemaname = 'corm' AND funcname = 'register_model' \\gset
SELECT count(*) AS n_locks,
       current_setting('max_locks_per_transaction')::int
       * (current_setting('max_connections')::int + current_setting('max_prepared_transactions')::int) AS lock_slots
  FROM pg_locks WHERE pid = pg_backend_pid() \\gset
SELECT count(*) FILTER (WHERE kind = 'root') AS n_root, count(*) FILTER (WHERE kind = 'joined') AS n_joined,
       count(*) FILTER (WHERE kind = 'single') AS n_single, count(*) FILTER (WHERE kind = 'abstract') AS n_abstract
  FROM corm.model \\gset
SELECT count(*) AS n_index FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
 WHERE c.relnamespace = 'public'::regnamespace AND NOT EXISTS
       (SELECT FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid) \\gset
\\pset tuples_only on
\\pset format unaligned
SELECT string_agg(corm.ddl(name), E'\\n' ORDER BY registered) FROM corm.model WHERE NOT abstract \\g $ddl
\\set fp_out $tmp/fp_corm
\\i $here/fingerprint.sql
ROLLBACK;
\\o
\\echo BENCH_INFO :bench_ms :bench_fn_ms :n_root :n_joined :n_single :n_abstract :n_locks :lock_slots :n_index
EOF
        run "$DB_REG" "$tmp/capture.sql" "registering $n models" || continue
        read -r cap_ms cap_fn n_root n_joined n_single n_abstract n_locks lock_slots n_index < <(sed -n 's/^BENCH_INFO //p' "$tmp/out")
        cat >"$tmp/replay_check.sql" <<EOF
\\o /dev/null
BEGIN;
\\i $ddl
SELECT count(*) AS n_locks FROM pg_locks WHERE pid = pg_backend_pid() \\gset
SELECT count(*) AS n_index FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
 WHERE c.relnamespace = 'public'::regnamespace AND NOT EXISTS
       (SELECT FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid) \\gset
\\set fp_out $tmp/fp_replay
\\i $here/fingerprint.sql
ROLLBACK;
\\o
\\echo BENCH_INFO :n_locks :n_index
EOF
        run "$DB_REPLAY" "$tmp/replay_check.sql" "replaying the DDL of $n models" || continue
        read -r replay_locks replay_index < <(sed -n 's/^BENCH_INFO //p' "$tmp/out")
        n_stmt=$(grep -c ';$' "$ddl")
        if cmp -s "$tmp/fp_corm" "$tmp/fp_replay"; then
            check="replay builds what corm built: $(sed 's/; md5.*//' "$tmp/fp_corm")"
        else
            check="REPLAYED SCHEMA DIFFERS: corm $(cat "$tmp/fp_corm"), replay $(cat "$tmp/fp_replay")"
        fi
        # indexes that back no constraint (the foreign keys' ix_...): counted on both sides
        if [ "$n_index" = "$replay_index" ]; then
            check="$check; $n_index indexes besides the constraints' (ix_...) on both sides"
        else
            check="$check; INDEXES DIFFER: corm built $n_index, the replay $replay_index"
        fi

        : >"$tmp/corm_ms"
        : >"$tmp/replay_ms"
        ok=1
        rounds=$ROUNDS
        [ "$n" -lt 1000 ] || rounds=$(( (ROUNDS * 3 + 4) / 5 ))
        for ((r = 1; r <= rounds; r++)); do
            ms=$(measure "$DB_REG" "$models" "$WARM_CORM") || { ok=0; failed=1; echo "$ms"; break; }
            echo "$ms" >>"$tmp/corm_ms"
            ms=$(measure "$DB_REPLAY" "$ddl" "$WARM_DDL") || { ok=0; failed=1; echo "$ms"; break; }
            echo "$ms" >>"$tmp/replay_ms"
        done
        [ $ok = 1 ] || continue
        c=$(col 1 "$tmp/corm_ms" | best)
        p=$(col 1 "$tmp/replay_ms" | best)
        rt=$(ratio "$c" "$p")
        v=$(verdict "$rt" "$GOAL_REPLAY")
        c_cpu=$(col 2 "$tmp/corm_ms" | best)
        p_cpu=$(col 2 "$tmp/replay_ms" | best)
        echo "   N=$n models ($n_root root, $n_joined joined, $n_single single-table, $n_abstract abstract; $n_stmt DDL statements; $rounds rounds)"
        printf '     corm register_model   %9.1f ms  [%s]  %.2f ms/model%s\n' "$c" "$(col 1 "$tmp/corm_ms" | median)" \
            "$(awk -v c="$c" -v n="$n" 'BEGIN { print c / n }')" "$(cpu_note "$c_cpu")"
        printf '     replay of corm.ddl    %9.1f ms  [%s]%s\n' "$p" "$(col 1 "$tmp/replay_ms" | median)" "$(cpu_note "$p_cpu")"
        printf '     ratio corm / replay   %9s     goal <= %s   %s%s\n' "$rt" "$GOAL_REPLAY" "$v" "$(cpu_ratio "$c_cpu" "$p_cpu" "$GOAL_REPLAY")"
        printf '     (untimed capture round: %s ms in all, %s ms of it inside corm.register_model; %s locks held at the end (replay: %s) of the %s the server has for all sessions; %s)\n' \
            "$cap_ms" "$cap_fn" "$n_locks" "$replay_locks" "$lock_slots" "$check"
        summary+=("register $n models / replay DDL: $rt (goal <= $GOAL_REPLAY) $v")

        if [ $profiling = 1 ]; then
            profile "$DB_REG" "$models" "registering $n models"
        fi
    done
fi
echo

# ---------------------------------------------------------------- benchmark 2
echo "2. Per-model time registering 100 models: near-empty catalog vs a big one (goal <= $GOAL_BIG; $ROUNDS2 rounds)"
if [ -n "$BIG" ] && create_db "$DB_SMALL" setup && create_db "$DB_BIG" setup; then
    hundred="$tmp/models_100.sql"
    gen_models T 0 100 "$hundred" || true
    have=0
    for size in $BIG; do
        [ -f "$hundred" ] || break
        if [ "$size" -gt "$have" ]; then
            # fill: models of the same shape under another prefix, BATCH a transaction
            fill="$tmp/fill_$size.sql"
            gen_models F $((have / 10)) $((size - have)) "$tmp/fill_models.sql" || break
            {
                echo "SET client_min_messages = warning;"
                echo "\\o /dev/null"
                awk -v b="$BATCH" '(NR - 1) % b == 0 { if (NR > 1) print "COMMIT;"; print "BEGIN;" } { print } END { if (NR) print "COMMIT;" }' \
                    "$tmp/fill_models.sql"
                echo "VACUUM ANALYZE corm.model;"
                echo "$VACUUM_CATALOGS" | sed 's/^VACUUM/VACUUM ANALYZE/'
            } >"$fill"
            t0=$(date +%s.%N)
            run "$DB_BIG" "$fill" "filling the catalog to $size models" || break
            t1=$(date +%s.%N)
            fill_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
            fill_rate=$(awk -v n=$((size - have)) -v s="$fill_s" 'BEGIN { printf "%.2f", 1000 * s / n }')
            fill_what="$((size - have)) added in ${fill_s} s, ${fill_rate} ms/model in batches of $BATCH"
            have=$size
        fi
        : >"$tmp/small_ms"
        : >"$tmp/big_ms"
        ok=1
        for ((r = 1; r <= ROUNDS2; r++)); do
            ms=$(measure "$DB_SMALL" "$hundred" "$WARM_CORM") || { ok=0; failed=1; echo "$ms"; break; }
            echo "$ms" >>"$tmp/small_ms"
            ms=$(measure "$DB_BIG" "$hundred" "$WARM_CORM") || { ok=0; failed=1; echo "$ms"; break; }
            echo "$ms" >>"$tmp/big_ms"
        done
        [ $ok = 1 ] || break
        s=$(col 1 "$tmp/small_ms" | best)
        b=$(col 1 "$tmp/big_ms" | best)
        rt=$(ratio "$b" "$s")
        v=$(verdict "$rt" "$GOAL_BIG")
        s_cpu=$(col 2 "$tmp/small_ms" | best)
        b_cpu=$(col 2 "$tmp/big_ms" | best)
        echo "   catalog of $size models ($fill_what)"
        printf '     100 into near-empty   %9.1f ms  [%s]  %.2f ms/model%s\n' "$s" "$(col 1 "$tmp/small_ms" | median)" \
            "$(awk -v t="$s" 'BEGIN { print t / 100 }')" "$(cpu_note "$s_cpu")"
        printf '     100 into %-6s models %8.1f ms  [%s]  %.2f ms/model%s\n' "$size" "$b" "$(col 1 "$tmp/big_ms" | median)" \
            "$(awk -v t="$b" 'BEGIN { print t / 100 }')" "$(cpu_note "$b_cpu")"
        printf '     ratio big / empty     %9s     goal <= %s   %s%s\n' "$rt" "$GOAL_BIG" "$v" "$(cpu_ratio "$b_cpu" "$s_cpu" "$GOAL_BIG")"
        summary+=("100 models into $size / near-empty: $rt (goal <= $GOAL_BIG) $v")
        if [ $profiling = 1 ]; then
            if [ -z "${profiled_small:-}" ]; then
                profile "$DB_SMALL" "$hundred" "100 models into the near-empty catalog"
                profiled_small=1
            fi
            profile "$DB_BIG" "$hundred" "100 models into the catalog of $size"
        fi
    done
fi
echo

echo "Summary ($(($(date +%s) - started)) s):"
for line in ${summary[@]+"${summary[@]}"}; do
    echo "   $line"
done
if [ "$(corm_so_stamp)" != "$so_stamp" ]; then
    echo "   WARNING: $corm_so was reinstalled during the run: the figures mix two builds of corm"
fi
if [ $failed = 1 ]; then
    echo "   some benchmarks could not run: see the errors above"
    exit 1
fi
exit 0
