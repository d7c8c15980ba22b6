#!/usr/bin/env bash
# Firehose delivery throughput and delay: JSON records (about 250 bytes each, 1 GB by default) ->
# FirehoseDelivery on Flink ([local], streaming, parallelism 2) -> gzip objects of 64 MiB on local
# disk; in the same run, as the baseline, one thread writing the same JSON lines through a plain
# GZIPOutputStream to one file (the per-core limit of gzip); and the delivery delay of objects put
# by the interval hint (5 s, records made at 1,000 per second for 30 s) against that hint.
#
# Harness: transforms/src/test/java/dev/freshet/transforms/firehose/bench/FirehoseBenchmark.java,
# one JVM per phase. Throughput counts from the first record generated to the end of the job
# (Flink's start-up is left out); "cores" is the harness JVM's CPU time over that span divided by
# it. firehose.ratio.gzip = (firehose MB per CPU-second of the whole JVM) / (gzip MB per CPU-second
# of its one thread): throughput per core used against the per-core limit of gzip; target >= 0.6.
# CPU time rather than wall time makes the ratio hold on a loaded machine; MB/s (wall) is printed too.
# firehose.delay.ratio = the longest delay of an object (file written less the oldest record in it)
# over the interval hint; target <= 1.1.
#
# Usage: bench/firehose.sh [megabytes, default 1000] [delay seconds, default 30]
# Environment: MVN_FLAGS (default -o), HEAP (default 3g), SKIP_BUILD=1 to reuse the last build.
# Prints a table, then firehose.* key=value lines.
set -euo pipefail
cd "$(dirname "$0")/.."

megabytes="${1:-1000}"
delay_seconds="${2:-30}"
mvn_flags="${MVN_FLAGS:--o}"
module=transforms
classpath_file="$module/target/bench.classpath"
scratch="$module/target/bench-firehose"
results="$module/target/bench-firehose.txt"

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  echo "== building"
  mvn -B -q $mvn_flags -DskipTests -pl "$module" -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
fi
cp="$module/target/test-classes:$module/target/classes:$(cat "$classpath_file")"

phase() { # name args...
  local name=$1
  shift
  echo "== $name"
  rm -rf "$scratch/$name"
  java -Xms"${HEAP:-3g}" -Xmx"${HEAP:-3g}" ${JAVA_OPTS:-} -cp "$cp" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dorg.slf4j.simpleLogger.log.org.apache.flink=error \
    -Dorg.slf4j.simpleLogger.log.org.apache.beam.runners.flink=error \
    -Dorg.slf4j.simpleLogger.log.org.apache.hadoop=error \
    dev.freshet.transforms.firehose.bench.FirehoseBenchmark "$name" "$scratch/$name" "$@" \
    2>"$module/target/bench-firehose-$name.log" | tee -a "$results" \
    || { echo "phase $name failed; see $module/target/bench-firehose-$name.log" >&2; tail -20 "$module/target/bench-firehose-$name.log" >&2; exit 1; }
  rm -rf "$scratch/$name"
}

mkdir -p "$scratch"
: >"$results"
phase gzip "$megabytes"
phase firehose "$megabytes"
phase delay "$delay_seconds"

value() { grep -E "^firehose\.$1=" "$results" | tail -1 | cut -d= -f2; }
gzip_mbps=$(value gzip.mbps)
fh_mbps=$(value mbps)
cores=$(value cores)
ratio=$(awk -v f="$(value mb_per_cpu_s)" -v g="$(value gzip.mb_per_cpu_s)" 'BEGIN { if (f > 0 && g > 0) printf "%.2f", f / g; else print "n/a" }')

echo
printf '%-56s %8s %8s %8s %10s\n' "pipeline ($megabytes MB of JSON lines)" "MB/s" "cores" "seconds" "MB/CPU-s"
printf '%-56s %8s %8s %8s %10s\n' "plain GZIPOutputStream, one thread" "$gzip_mbps" "1" "$(value gzip.s)" "$(value gzip.mb_per_cpu_s)"
printf '%-56s %8s %8s %8s %10s\n' "FirehoseDelivery -> gzip objects, Flink [local], p=2" "$fh_mbps" "$cores" "$(value s)" "$(value mb_per_cpu_s)"
echo
printf '%-60s %10s\n' "delivery delay, interval hint $(value delay.interval_s) s ($(value delay.objects) objects)" ""
printf '%-60s %10s\n' "  mean delay (s)" "$(value delay.mean_s)"
printf '%-60s %10s\n' "  longest delay (s)" "$(value delay.max_s)"
echo
echo "firehose.mbps=$fh_mbps"
echo "firehose.gzip.mbps=$gzip_mbps"
echo "firehose.cores=$cores"
echo "firehose.ratio.gzip=$ratio"
echo "firehose.delay.max_s=$(value delay.max_s)"
echo "firehose.delay.ratio=$(value delay.ratio)"
