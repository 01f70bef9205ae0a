#!/usr/bin/env bash
# Kafka -> Eddy -> Kafka: throughput (records/s, 100-byte JSON, parallelism 2, exactly-once with
# 1 s checkpoints) against Kafka's own ProducerPerformance and ConsumerPerformance on the same
# broker (the ceiling), then end-to-end latency p50/p99 at half Eddy's rate (producer creation time
# to a read_committed reader). Run from the repository root after `mvn -B package -DskipTests`:
#   conf/kafka/bench.sh [records]
# It starts its own broker (from Maven Central artifacts, see the README) on free loopback ports
# and stops it, and every process it started, at the end.
set -euo pipefail
N=${1:-2000000}
ROOT=$(pwd)
LIB=$ROOT/conf/kafka/target/kafka-lib
BUNDLE=$ROOT/examples/target/eddy-examples.jar
[ -f "$BUNDLE" ] || { echo "error: build the bundle first: mvn -B package -DskipTests" >&2; exit 2; }
[ -d "$LIB" ] || mvn -B -q -f conf/kafka/pom.xml dependency:copy-dependencies -DoutputDirectory=target/kafka-lib
CP="$LIB/*"
WORK=$(mktemp -d /tmp/eddy-kafka-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port); CPORT=$(free_port)
BS=127.0.0.1:$PORT
sed -e "s/9092/$PORT/g; s/9093/$CPORT/g; s#log.dirs=.*#log.dirs=$WORK/data#" conf/kafka/server.properties > "$WORK/server.properties"
java -cp "$CP" kafka.tools.StorageTool format -t "$(java -cp "$CP" kafka.tools.StorageTool random-uuid 2>/dev/null)" \
  -c "$WORK/server.properties" >/dev/null 2>&1
java -Xmx1g -cp "$CP" kafka.Kafka "$WORK/server.properties" > "$WORK/broker.log" 2>&1 &
PIDS+=($!)
topics() { java -cp "$CP" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BS" "$@" 2>/dev/null; }
for i in $(seq 1 120); do topics --list >/dev/null && break; sleep 0.5; done
for t in in out lat-in lat-out; do topics --create --topic $t --partitions 2 >/dev/null; done

# 100-byte JSON orders, as ProducerPerformance payloads
python3 - "$WORK/payloads.txt" <<'PY'
import json, random, sys
random.seed(1)
with open(sys.argv[1], "w") as f:
    for i in range(1000):
        o = {"orderId": "o-%06d" % i, "customer": "c-%02d" % random.randrange(50), "amountCents": random.randrange(100000), "pad": ""}
        s = json.dumps(o, separators=(",", ":"))
        o["pad"] = "x" * (100 - len(s))
        f.write(json.dumps(o, separators=(",", ":")) + "\n")
PY
perf_producer() { # topic records rate
  java -cp "$CP" org.apache.kafka.tools.ProducerPerformance --topic "$1" --num-records "$2" --throughput "$3" \
    --payload-file "$WORK/payloads.txt" --producer-props bootstrap.servers="$BS" acks=all linger.ms=5 2>/dev/null | tail -1
}
echo "== Kafka ProducerPerformance, $N records of 100 bytes"
perf_producer in "$N" -1
echo "== Kafka ConsumerPerformance, $N records"
java -cp "$CP" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$BS" --topic in --messages "$N" 2>/dev/null | tail -2

job() { # name input output bounded
  cat > "$WORK/$1.json" <<JSON
{"name": "$1", "job": "io.eddy.examples.bench.KafkaPassThrough", "parallelism": 2,
 "checkpoints": {"intervalMillis": 1000, "mode": "exactly-once", "directory": "$WORK/checkpoints"},
 "params": {"bootstrapServers": "$BS", "inputTopic": "$2", "outputTopic": "$3", "bounded": "$4",
            "guarantee": "exactly-once", "transactionalIdPrefix": "$1", "groupId": "$1"}}
JSON
}
echo "== Eddy: Kafka -> parse JSON, stamp -> Kafka, exactly-once, checkpoints every 1 s, parallelism 2"
job throughput in out true
OUT=$(java -jar "$BUNDLE" run "$WORK/throughput.json" 2>"$WORK/eddy.err" | tail -1) || { cat "$WORK/eddy.err" >&2; exit 1; }
SECS=$(echo "$OUT" | sed -E 's/.*finished in ([0-9.]+) s.*/\1/')
RATE=$(python3 -c "print(int($N / $SECS))")
echo "$OUT: $RATE records/s (including start-up and the final checkpoint)"

HALF=$((RATE / 2)); M=$((HALF * 20))
echo "== Latency at $HALF records/s ($M records), event creation -> read_committed reader"
job latency lat-in lat-out false
java -jar "$BUNDLE" run "$WORK/latency.json" > "$WORK/latency-job.log" 2>&1 &
PIDS+=($!)
# wait until the job runs: a warm-up batch comes out committed
perf_producer lat-in 100 -1 >/dev/null
for i in $(seq 1 240); do
  n=$(java -cp "$CP" org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$BS" --topic lat-out 2>/dev/null \
      | awk -F: '{s+=$3} END {print s+0}')
  [ "$n" -gt 100 ] && break; sleep 0.5
done
java -cp "$CP" "$ROOT/conf/kafka/LatencyProbe.java" "$BS" lat-out "$M" 120 > "$WORK/probe.log" 2>&1 &
PROBE=$!; PIDS+=($PROBE)
for i in $(seq 1 120); do grep -qs 'probe ready' "$WORK/probe.log" && break; sleep 0.5; done
perf_producer lat-in "$M" "$HALF"
wait "$PROBE" || true
tail -1 "$WORK/probe.log"
