#!/usr/bin/env bash
# StreamIO throughput: a read -> count pipeline over 5,000,000 records of 100 bytes in a 4-shard
# stream, on Beam's Direct runner and on Flink ([local], parallelism 2), against the embedded store
# (file:) and through freshet server (in the harness JVM, on loopback); in the same run, as the
# baseline, Beam's own KinesisIO reading the same stream through freshet server on Flink; and the
# write throughput of StreamIO.write() on Flink, which also fills the stream.
#
# Harness: examples/src/test/java/dev/freshet/examples/bench/StreamIOBenchmark.java, one JVM per phase.
# Throughput counts from the first record a pipeline sees to the last (Flink's start-up is left
# out for every contender alike); wall times from run() are printed too, and for the reads the
# JVM's CPU time per record over the same span (KinesisIO's ÷ StreamIO's through the server is
# streamio.flink.server.cpu_ratio.kinesisio). Flink runs with
# --fasterCopy and --disableMetrics for every contender (Beam's Flink runner otherwise rebuilds
# metric results after every record a source reads); StreamIO is measured once more with metrics.
# Every phase's JVM touches its whole heap at start (-XX:+AlwaysPreTouch): otherwise the first pass
# of allocation through a fresh 4 GiB heap has the kernel fault in and zero its pages while a read
# runs (a fifth to a third of the CPU in system time, and the largest source of run-to-run spread).
# Reads are also measured in their steady state, from the moment a fifth of the records has been seen
# to the last (the JIT's warm-up and the store's first indexing of each segment left out, as JMH
# leaves out warm-up iterations, for every contender alike): the steady_* keys.
#
# The headline comparison, StreamIO and KinesisIO through the server on Flink, is run as PAIRS
# alternating pairs (default 3): each pair's ratio is printed, and the keys give the median pair's
# (and the median of each contender's figures), as bench/peers.sh does with its rounds.
#
# Usage: bench/streamio.sh [records, default 5000000]
# Environment: PAIRS (default 3), MVN_FLAGS (default -o), JAVA_OPTS (e.g. -XX:StartFlightRecording=filename=r.jfr),
# HEAP (default 4g), SKIP_BUILD=1 to reuse the last build.
# Prints a table, then streamio.* key=value lines.
set -euo pipefail
cd "$(dirname "$0")/.."

records="${1:-5000000}"
mvn_flags="${MVN_FLAGS:--o}"
module=examples
classpath_file="$module/target/bench.classpath"
scratch="$module/target/bench-streamio"
results="$module/target/bench-streamio.txt"

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  echo "== building"
  # The harness is in the examples' test sources; its dependencies come from the same reactor.
  mvn -B -q $mvn_flags -DskipTests -pl "$module" -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
fi
cp="$module/target/test-classes:$module/target/classes:$(cat "$classpath_file")"

phase() { # name [-Dproperty...] args...
  local name=$1
  shift
  local props=()
  while [[ $1 == -D* ]]; do
    props+=("$1")
    shift
  done
  echo "== $name"
  java -Xms"${HEAP:-4g}" -Xmx"${HEAP:-4g}" -XX:+AlwaysPreTouch ${JAVA_OPTS:-} "${props[@]}" -cp "$cp" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dorg.slf4j.simpleLogger.log.org.apache.flink=error \
    -Dorg.slf4j.simpleLogger.log.org.apache.beam.runners.flink=error \
    dev.freshet.examples.bench.StreamIOBenchmark "$@" 2>"$module/target/bench-streamio-$name.log" | tee -a "$results" \
    || { echo "phase $name failed; see $module/target/bench-streamio-$name.log" >&2; tail -20 "$module/target/bench-streamio-$name.log" >&2; exit 1; }
}

rm -rf "$scratch"
mkdir -p "$scratch"
: >"$results"
phase write write "$scratch" "$records"
phase flink-file read flink file "$scratch" "$records"
phase flink-file-metrics -Dbench.metrics=true read flink file "$scratch" "$records"
pairs="${PAIRS:-3}"
for pair in $(seq 1 "$pairs"); do
  phase "flink-server-$pair" read flink server "$scratch" "$records"
  phase "kinesisio-$pair" kinesisio "$scratch" "$records"
done
phase kinesisio-metrics -Dbench.metrics=true kinesisio "$scratch" "$records"
phase direct-file read direct file "$scratch" "$records"
phase direct-server read direct server "$scratch" "$records"

# Every value a key got (one per phase that printed it), then the median of those: a key printed
# once is its own median.
all() { { grep -E "^streamio\.$1=" "$results" || true; } | cut -d= -f2; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
value() { all "$1" | median; }
# One ratio per pair, in order: the first key's value over the second's.
pair_ratios() { paste -d' ' <(all "$1") <(all "$2") | awk '{ if ($2 > 0) printf "%.2f\n", $1 / $2; else print "n/a" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo
printf '%-52s %14s %14s %10s %10s\n' "pipeline ($records records of 100 B, 4 shards)" "records/s" "steady rec/s" "active s" "wall s"
row() { # label key
  local steady
  steady="$(value "$2.steady_rps")"
  printf '%-52s %14s %14s %10s %10s\n' "$1" "$(value "$2.rps")" "${steady:--}" "$(value "$2.active_s")" "$(value "$2.wall_s")"
}
row "StreamIO.write(), Flink, file:" write.flink
row "StreamIO.read() -> count, Flink, file:" read.flink.file
row "StreamIO.read() -> count, Flink, server" read.flink.server
row "StreamIO.read() -> count, Flink, file:, metrics on" read.flink.file.metrics
row "KinesisIO.read() -> count, Flink, server" read.kinesisio.flink.server
row "KinesisIO.read() -> count, Flink, server, metrics on" read.kinesisio.flink.server.metrics
row "StreamIO.read() -> count, Direct, file:" read.direct.file
row "StreamIO.read() -> count, Direct, server" read.direct.server
echo
echo "StreamIO / KinesisIO through the server on Flink, pair by pair (records/s, steady records/s, CPU per record):"
paste -d' ' <(all read.flink.server.rps) <(all read.kinesisio.flink.server.rps) \
  <(pair_ratios read.flink.server.rps read.kinesisio.flink.server.rps) \
  <(pair_ratios read.flink.server.steady_rps read.kinesisio.flink.server.steady_rps) \
  <(pair_ratios read.kinesisio.flink.server.cpu_ns_per_record read.flink.server.cpu_ns_per_record) |
  awk '{ printf "  pair %d: StreamIO %9d  KinesisIO %8d  ratio %5s  steady ratio %5s  CPU ratio %5s\n", NR, $1, $2, $3, $4, $5 }'
echo
flink="$(value read.flink.file.rps)"
kinesisio="$(value read.kinesisio.flink.server.rps)"
echo "streamio.flink.rps=$flink"
echo "streamio.flink.server.rps=$(value read.flink.server.rps)"
echo "streamio.flink.metrics.rps=$(value read.flink.file.metrics.rps)"
echo "streamio.direct.rps=$(value read.direct.file.rps)"
echo "streamio.direct.server.rps=$(value read.direct.server.rps)"
echo "streamio.read.direct.file.rps=$(value read.direct.file.rps)"
echo "streamio.read.direct.server.rps=$(value read.direct.server.rps)"
echo "streamio.write.flink.rps=$(value write.flink.rps)"
echo "streamio.kinesisio.flink.rps=$kinesisio"
echo "streamio.flink.ratio.kinesisio=$(ratio "$flink" "$kinesisio")"
echo "streamio.flink.server.pairs=$pairs"
echo "streamio.flink.server.ratio.kinesisio=$(pair_ratios read.flink.server.rps read.kinesisio.flink.server.rps | median)"
echo "streamio.flink.server.ratio.kinesisio.min=$(pair_ratios read.flink.server.rps read.kinesisio.flink.server.rps | sort -g | head -1)"
echo "streamio.flink.server.steady_rps=$(value read.flink.server.steady_rps)"
echo "streamio.kinesisio.flink.steady_rps=$(value read.kinesisio.flink.server.steady_rps)"
echo "streamio.flink.server.steady_ratio.kinesisio=$(pair_ratios read.flink.server.steady_rps read.kinesisio.flink.server.steady_rps | median)"
echo "streamio.kinesisio.flink.metrics.rps=$(value read.kinesisio.flink.server.metrics.rps)"
# CPU time of the whole JVM (runner, reader and the in-process server) from the first record to the
# last: a shared, busy machine skews throughput by how many threads each contender keeps runnable,
# far less the CPU each spends per record.
echo "streamio.flink.server.cpu_ns_per_record=$(value read.flink.server.cpu_ns_per_record)"
echo "streamio.kinesisio.flink.cpu_ns_per_record=$(value read.kinesisio.flink.server.cpu_ns_per_record)"
echo "streamio.flink.server.cpu_ratio.kinesisio=$(pair_ratios read.kinesisio.flink.server.cpu_ns_per_record read.flink.server.cpu_ns_per_record | median)"
echo "streamio.flink.server.steady_cpu_ratio.kinesisio=$(pair_ratios read.kinesisio.flink.server.steady_cpu_ns_per_record read.flink.server.steady_cpu_ns_per_record | median)"
echo "streamio.flink.metrics.ratio.kinesisio=$(ratio "$(value read.flink.file.metrics.rps)" "$(value read.kinesisio.flink.server.metrics.rps)")"
