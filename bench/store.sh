#!/usr/bin/env bash
# Benchmarks the embedded store in one JVM: appends (durability os and fsync), a drain read,
# put-to-visible latency, and a plain FileChannel append baseline on the same disk.
# Usage: bench/store.sh [seconds per append run, default 5]
# Prints a table, then key=value lines (store.put.os.rps=..., baseline.append.os.rps=..., ratios).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-5}"
module=io-kinesis-local/store
classpath_file="$module/target/bench.classpath"

# Main and test classes of the store (the benchmark lives in its test sources) and, in the same
# reactor build, the classpath of its dependencies.
mvn -B -q -DskipTests -pl "$module" -am package dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test

scratch="$module/target/bench-store"
# JAVA_OPTS adds JVM flags, e.g. JAVA_OPTS="-XX:StartFlightRecording=filename=store.jfr" to profile.
java -Xms1g -Xmx1g -XX:+UseParallelGC ${JAVA_OPTS:-} \
  -cp "$module/target/test-classes:$module/target/classes:$(cat "$classpath_file")" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  dev.freshet.kinesis.store.bench.StoreBenchmark "$scratch" "$seconds"
