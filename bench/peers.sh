#!/usr/bin/env bash
# Side-by-side benchmark of freshet server against the two open Kinesis emulators, kinesalite 3.3.3
# and kinesis-local 0.6.2, all on loopback and all driven by the same Java harness
# (io-kinesis-local/server/src/test/java/dev/freshet/kinesis/server/PeersBenchmark.java: AWS SDK v2 sync
# client, Apache HTTP/1.1, CBOR off so kinesalite can answer). Each target gets a fresh harness JVM.
#
# Prints a table, then peers.* key=value lines; ratios are freshet's figure over the peer's
# (put and get: higher is better; latency: lower is better).
#
# Environment: ROUNDS (default 3), PEERS_DIR (npm install folder, default target/peers),
# MVN_FLAGS (default -o), FRESHET_JAVA_OPTS (JVM options of the freshet server, e.g. for JFR).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
peers_dir="${PEERS_DIR:-$root/target/peers}"
mvn_flags="${MVN_FLAGS:--o}"
freshet_port="${FRESHET_PORT:-14567}"
kinesalite_port="${KINESALITE_PORT:-14568}"
kinesis_local_port="${KINESIS_LOCAL_PORT:-14569}"
kinesis_local_tls_port="${KINESIS_LOCAL_TLS_PORT:-14570}"
mkdir -p "$peers_dir"
log="$peers_dir/logs"
mkdir -p "$log"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

echo "== building the harness"
(cd "$root" && mvn $mvn_flags -q -pl io-kinesis-local/server -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$peers_dir/classpath.txt" -Dmdep.includeScope=test)
cp="$root/io-kinesis-local/server/target/test-classes:$root/io-kinesis-local/server/target/classes:$(cat "$peers_dir/classpath.txt")"

echo "== installing kinesalite@3.3.3 and kinesis-local@0.6.2 into $peers_dir"
if [[ ! -x "$peers_dir/node_modules/.bin/kinesalite" || ! -f "$peers_dir/node_modules/kinesis-local/main.js" ]]; then
  (cd "$peers_dir" && npm install --no-audit --no-fund --loglevel=error --no-save \
    kinesalite@3.3.3 kinesis-local@0.6.2 >"$log/npm.log" 2>&1)
fi

wait_for_port() { # name port
  for _ in $(seq 1 300); do
    if (echo >"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "$1 did not open port $2; see $log/$1.log" >&2
  exit 1
}

echo "== starting the servers"
java ${FRESHET_JAVA_OPTS:-} -cp "$cp" dev.freshet.kinesis.server.BenchServer "$freshet_port" \
  "$(mktemp -d "${TMPDIR:-/tmp}/freshet-peers.XXXXXX")" >"$log/freshet.log" 2>&1 &
pids+=($!)
freshet_pid=$!
"$peers_dir/node_modules/.bin/kinesalite" --port "$kinesalite_port" --createStreamMs 0 \
  --deleteStreamMs 0 --updateStreamMs 0 --shardLimit 100 >"$log/kinesalite.log" 2>&1 &
pids+=($!)
kinesalite_pid=$!
# kinesis-local reads server.json (its TLS certificate) from the folder it starts in.
(cd "$peers_dir/node_modules/kinesis-local" && KINESIS_MOCK_PLAIN_PORT="$kinesis_local_port" \
  KINESIS_MOCK_TLS_PORT="$kinesis_local_tls_port" CREATE_STREAM_DURATION=0ms SHARD_LIMIT=100 \
  LOG_LEVEL=WARN exec node main.js) >"$log/kinesis_local.log" 2>&1 &
pids+=($!)
kinesis_local_pid=$!
wait_for_port freshet "$freshet_port"
wait_for_port kinesalite "$kinesalite_port"
wait_for_port kinesis_local "$kinesis_local_port"

# The machine may be shared: each round drives the three targets one after another, and the
# summary takes each target's best round per figure (highest records/s, lowest latency), so a burst
# of someone else's load during one run does not decide the comparison. Every round is printed too.
rounds="${ROUNDS:-3}"
results="$peers_dir/results.txt"
: >"$results"
for round in $(seq 1 "$rounds"); do
  for target in "freshet $freshet_port $freshet_pid" "kinesalite $kinesalite_port $kinesalite_pid" \
      "kinesis_local $kinesis_local_port $kinesis_local_pid"; do
    set -- $target
    echo "== round $round: $1"
    java -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn dev.freshet.kinesis.server.PeersBenchmark \
      "$1" "http://127.0.0.1:$2" "$3" | tee -a "$results"
  done
done

# best <key> max|min: the best value of peers.<key>= over all rounds.
best() {
  grep -E "^peers\.$1=" "$results" | cut -d= -f2 | sort -g | { if [[ $2 == max ]]; then tail -1; else head -1; fi; }
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo
echo "per round (put rec/s, get rec/s, p50 ms, p99 ms):"
for name in freshet kinesalite kinesis_local; do
  printf '  %-14s put %s | get %s | p50 %s | p99 %s\n' "$name" \
    "$(grep -E "^peers\.put\.rps\.$name=" "$results" | cut -d= -f2 | paste -sd' ')" \
    "$(grep -E "^peers\.get\.rps\.$name=" "$results" | cut -d= -f2 | paste -sd' ')" \
    "$(grep -E "^peers\.latency\.p50\.ms\.$name=" "$results" | cut -d= -f2 | paste -sd' ')" \
    "$(grep -E "^peers\.latency\.p99\.ms\.$name=" "$results" | cut -d= -f2 | paste -sd' ')"
done
echo
echo "CPU microseconds per record, server / harness client (median of rounds):"
median() { grep -E "^peers\.$1=" "$results" | cut -d= -f2 | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
for name in freshet kinesalite kinesis_local; do
  printf '  %-14s put %s / %s | get %s / %s\n' "$name" \
    "$(median "cpu.us_per_record.put.server.$name")" "$(median "cpu.us_per_record.put.client.$name")" \
    "$(median "cpu.us_per_record.get.server.$name")" "$(median "cpu.us_per_record.get.client.$name")"
done
echo
echo "best of $rounds rounds:"
printf '%-14s %14s %14s %12s %12s\n' target "put rec/s" "get rec/s" "p50 ms" "p99 ms"
for name in freshet kinesalite kinesis_local; do
  printf '%-14s %14s %14s %12s %12s\n' "$name" "$(best "put.rps.$name" max)" "$(best "get.rps.$name" max)" \
    "$(best "latency.p50.ms.$name" min)" "$(best "latency.p99.ms.$name" min)"
done
echo
for name in freshet kinesalite kinesis_local; do
  echo "peers.put.rps.$name=$(best "put.rps.$name" max)"
  echo "peers.get.rps.$name=$(best "get.rps.$name" max)"
  echo "peers.latency.p50.ms.$name=$(best "latency.p50.ms.$name" min)"
  echo "peers.latency.p99.ms.$name=$(best "latency.p99.ms.$name" min)"
done
for peer in kinesalite kinesis_local; do
  echo "peers.put.ratio.$peer=$(ratio "$(best put.rps.freshet max)" "$(best "put.rps.$peer" max)")"
  echo "peers.get.ratio.$peer=$(ratio "$(best get.rps.freshet max)" "$(best "get.rps.$peer" max)")"
  echo "peers.latency.p99.ratio.$peer=$(ratio "$(best latency.p99.ms.freshet min)" "$(best "latency.p99.ms.$peer" min)")"
done
