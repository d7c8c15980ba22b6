#!/usr/bin/env bash
# SQL throughput: a tumbling-window COUNT(*) and SUM GROUP BY key (1,000 keys, one-minute windows)
# over generated events, on Flink [local] at parallelism 2, planned by Freshet SQL (Beam SQL with
# Freshet's planner, on Beam's Flink runner) and, in the same run as the baseline, by Flink's own SQL
# (flink-table 1.19, a test-scoped dependency of freshet-sql, so nothing shipped carries it). Both
# read the same generator: event i has key i % 1000, value i % 100, and event times over ten
# minutes (10,000 result rows, whose counts must add up to the events).
#
# Harness: sql/src/test/java/dev/freshet/sql/bench/SqlBenchmark.java, one JVM per contender.
# Throughput counts from the first event generated to the last result row (start-up left out for
# both); the wall time from submission is printed too. Beam runs with --fasterCopy, --disableMetrics,
# --objectReuse and --maxBundleSize=100000 (SqlBenchmark.BEAM_ARGS), Flink with object reuse; both
# with Flink's defaults otherwise (no checkpointing, heap state).
#
# Freshet SQL plans the tumbling-window aggregate as a two-phase combine (PreAggregatedWindowRel: a
# partial combine per bundle before the shuffle); BEAM_BASELINE=1 also runs Beam SQL's own plan of
# the same query on the same runner and options (contender "beam", row by row through Beam's window
# state), printed as sql.beam.eps; it is slow, run it at a small size.
#
# Usage: bench/sql.sh [events, default 10000000] [parallelism, default 2]
# Environment: MVN_FLAGS (default -o), JAVA_OPTS (e.g. -XX:StartFlightRecording=filename=r.jfr),
# HEAP (default 3g), SKIP_BUILD=1 to reuse the last build, BEAM_BASELINE=1 (above), BEAM_ARGS to
# replace SqlBenchmark.BEAM_ARGS (e.g. BEAM_ARGS=--maxBundleSize=1000 for the runner's default).
# Prints a table, then sql.* key=value lines.
set -euo pipefail
cd "$(dirname "$0")/.."

events="${1:-10000000}"
parallelism="${2:-2}"
mvn_flags="${MVN_FLAGS:--o}"
module=sql
classpath_file="$module/target/bench.classpath"
results="$module/target/bench-sql.txt"

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  echo "== building"
  mvn -B -q $mvn_flags -DskipTests -pl "$module" -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
fi
cp="$module/target/test-classes:$module/target/classes:$(cat "$classpath_file")"

# flink-table-runtime bundles its own Janino (3.1), unrelocated; Beam SQL's Janino 3.0.11 (which
# Beam's vendored Calcite needs) would shadow it, so the Flink contender runs without the latter.
flink_cp="$(tr ':' '\n' <<<"$cp" | grep -v -e '/janino-3\.0\.' -e '/commons-compiler-3\.0\.' | paste -sd:)"

contender() { # name
  echo "== $1"
  local classpath="$cp"
  [[ $1 == flink ]] && classpath="$flink_cp"
  local beam_args=()
  [[ -n "${BEAM_ARGS:-}" ]] && beam_args=("-Dbench.beamArgs=$BEAM_ARGS")
  java -Xms"${HEAP:-3g}" -Xmx"${HEAP:-3g}" ${JAVA_OPTS:-} "${beam_args[@]}" -cp "$classpath" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dorg.slf4j.simpleLogger.log.org.apache.flink=error \
    -Dorg.slf4j.simpleLogger.log.org.apache.beam.runners.flink=error \
    dev.freshet.sql.bench.SqlBenchmark "$1" "$events" "$parallelism" 2>"$module/target/bench-sql-$1.log" | tee -a "$results" \
    || { echo "contender $1 failed; see $module/target/bench-sql-$1.log" >&2; tail -20 "$module/target/bench-sql-$1.log" >&2; exit 1; }
}

: >"$results"
contender freshet
contender flink
[[ "${BEAM_BASELINE:-}" == 1 ]] && contender beam

field() { # contender key
  grep "^$1 " "$results" | tr ' ' '\n' | sed -n "s/^$2=//p"
}
freshet_eps="$(field freshet eps)"
flink_eps="$(field flink eps)"
ratio="$(awk -v a="$freshet_eps" -v b="$flink_eps" 'BEGIN { printf "%.2f", a / b }')"

echo
printf '%-22s %12s %8s %10s %10s %14s\n' contender events rows active_s wall_s events/s
contenders=(freshet flink)
[[ "${BEAM_BASELINE:-}" == 1 ]] && contenders+=(beam)
for c in "${contenders[@]}"; do
  name="Freshet SQL (Beam)"
  [[ $c == flink ]] && name="Flink SQL (native)"
  [[ $c == beam ]] && name="Beam SQL's own plan"
  printf '%-22s %12s %8s %10s %10s %14s\n' "$name" "$(field $c events)" "$(field $c rows)" \
    "$(field $c active_s)" "$(field $c wall_s)" "$(field $c eps)"
done
echo
echo "sql.events=$events"
echo "sql.parallelism=$parallelism"
echo "sql.freshet.eps=$freshet_eps"
echo "sql.flink.eps=$flink_eps"
echo "sql.ratio.flink=$ratio"
if [[ "${BEAM_BASELINE:-}" == 1 ]]; then
  echo "sql.beam.eps=$(field beam eps)"
fi
