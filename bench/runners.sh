#!/usr/bin/env bash
# Benchmarks the runners on one pipeline, the windowed-count example (read -> 10 s fixed windows ->
# count per partition key -> write the counts), over the same 16-shard stream of 5,000,000 records
# read through an in-process freshet server: Direct runner, Flink in the same JVM ([local]) and a
# local cluster of 2 TaskManagers x 2 slots, all at parallelism 2. Before that it runs
# ClusterRecoveryIT (a TaskManager killed with SIGKILL under the relay example) for the recovery
# time. Everything is built and measured in this one run.
#
# Usage: bench/runners.sh [records, default 5000000]
# Environment: MVN_FLAGS (default -o), JAVA_OPTS (extra JVM flags of the benchmark JVM).
# Prints a table, then runners.* key=value lines.
set -euo pipefail
cd "$(dirname "$0")/.."

records="${1:-5000000}"
mvn_flags="${MVN_FLAGS:--o}"
scratch="cli/target/bench-runners"
rm -rf "$scratch"
mkdir -p "$scratch"

echo "== building, and running ClusterRecoveryIT (about 2 minutes)"
# One reactor build: the job jar and cli/target/lib come from this tree, not from ~/.m2.
mvn -B $mvn_flags -q -pl runners,examples,cli -am verify dependency:build-classpath \
  -Dit.test=ClusterRecoveryIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >"$scratch/build.log" 2>&1 || {
  tail -50 "$scratch/build.log" >&2
  exit 1
}
recovery_out=cli/target/failsafe-reports/dev.freshet.cli.ClusterRecoveryIT-output.txt
grep -E "^(killed|recovery time|input)" "$recovery_out"
recovery_s="$(sed -n 's/^recovery time: \([0-9.]*\) s.*/\1/p' "$recovery_out")"
duplicates="$(sed -n 's/.*distinct, \([0-9,]*\) duplicates$/\1/p' "$recovery_out" | tr -d ,)"

echo "== windowed-count over $records records on three runners"
java -Xms2g -Xmx6g -XX:+UseParallelGC ${JAVA_OPTS:-} \
  -cp "cli/target/test-classes:cli/target/classes:$(cat cli/target/bench.classpath)" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dorg.slf4j.simpleLogger.log.org.apache.flink.metrics=error \
  dev.freshet.cli.RunnersBenchmark "$scratch" cli/target/freshet-job.jar "$records" \
  | tee "$scratch/benchmark.out" | grep -v '^runners\.'

echo
echo "recovery after SIGKILL of 1 of 2 TaskManagers (relay, parallelism 2, checkpoints every 1 s): ${recovery_s} s, ${duplicates} duplicates rewritten"
echo
grep '^runners\.' "$scratch/benchmark.out"
echo "runners.recovery.s=$recovery_s"
echo "runners.recovery.duplicates=$duplicates"
