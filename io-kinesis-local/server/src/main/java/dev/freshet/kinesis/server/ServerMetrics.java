package dev.freshet.kinesis.server;

import dev.freshet.sdk.stream.ListStreamsResult;
import dev.freshet.sdk.stream.ShardMetrics;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamMetrics;
import dev.freshet.sdk.stream.StreamSummary;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * What {@code GET /metrics} shows, in the Prometheus text format: requests served by operation and
 * status, active subscriptions, and the store's per-stream, per-shard counters.
 */
final class ServerMetrics {
  private final StreamClient client;
  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> requestNanos = new ConcurrentHashMap<>();
  final AtomicInteger activeSubscriptions = new AtomicInteger();
  private final Map<String, LongAdder> subscriptionsByProtocol = new ConcurrentHashMap<>();

  ServerMetrics(StreamClient client) {
    this.client = client;
  }

  void recordRequest(String operation, int status, long nanos) {
    requests.computeIfAbsent(operation + '\u0000' + status, k -> new LongAdder()).increment();
    requestNanos.computeIfAbsent(operation, k -> new LongAdder()).add(nanos);
  }

  /** A SubscribeToShard stream began over {@code protocol} (HTTP/1.1 or HTTP/2). */
  void recordSubscription(String protocol) {
    subscriptionsByProtocol.computeIfAbsent(protocol, k -> new LongAdder()).increment();
  }

  String render() {
    StringBuilder out = new StringBuilder(4096);
    header(out, "freshet_requests_total", "counter", "Kinesis API requests served, by operation and HTTP status.");
    new TreeMap<>(requests).forEach((key, count) -> {
      String[] parts = key.split("\u0000", 2);
      out.append("freshet_requests_total{operation=\"").append(escape(parts[0]))
          .append("\",status=\"").append(parts[1]).append("\"} ").append(count.sum()).append('\n');
    });
    header(out, "freshet_request_seconds_total", "counter", "Time spent serving requests, by operation.");
    new TreeMap<>(requestNanos).forEach((operation, nanos) ->
        out.append("freshet_request_seconds_total{operation=\"").append(escape(operation)).append("\"} ")
            .append(nanos.sum() / 1e9).append('\n'));
    header(out, "freshet_subscriptions", "gauge", "Active SubscribeToShard subscriptions.");
    out.append("freshet_subscriptions ").append(activeSubscriptions.get()).append('\n');
    header(out, "freshet_subscriptions_started_total", "counter", "SubscribeToShard streams begun, by HTTP protocol.");
    new TreeMap<>(subscriptionsByProtocol).forEach((protocol, count) ->
        out.append("freshet_subscriptions_started_total{protocol=\"").append(escape(protocol)).append("\"} ")
            .append(count.sum()).append('\n'));

    List<StreamMetrics> streams = streamMetrics();
    shardFamily(out, streams, "freshet_incoming_records_total", "counter", "Records written, per shard.", ShardMetrics::incomingRecords);
    shardFamily(out, streams, "freshet_incoming_bytes_total", "counter", "Bytes written (data and partition keys), per shard.", ShardMetrics::incomingBytes);
    shardFamily(out, streams, "freshet_outgoing_records_total", "counter", "Records read, per shard.", ShardMetrics::outgoingRecords);
    shardFamily(out, streams, "freshet_outgoing_bytes_total", "counter", "Bytes read, per shard.", ShardMetrics::outgoingBytes);
    shardFamily(out, streams, "freshet_write_throttled_total", "counter", "Writes refused by the shard's limits.", ShardMetrics::writeProvisionedThroughputExceeded);
    shardFamily(out, streams, "freshet_read_throttled_total", "counter", "Reads refused by the shard's limits.", ShardMetrics::readProvisionedThroughputExceeded);
    shardFamily(out, streams, "freshet_iterator_age_milliseconds", "gauge", "How far behind the newest record the last read of the shard was.", ShardMetrics::iteratorAgeMillis);
    return out.toString();
  }

  private List<StreamMetrics> streamMetrics() {
    List<StreamMetrics> all = new ArrayList<>();
    String token = null;
    do {
      ListStreamsResult page = client.listStreams(token, 10_000);
      for (StreamSummary summary : page.streams()) {
        try {
          all.add(client.metrics(summary.streamName()));
        } catch (ResourceNotFoundException deletedMeanwhile) {
          // A stream deleted between the listing and now has no metrics to show.
        }
      }
      token = page.nextToken();
    } while (token != null);
    return all;
  }

  private static void shardFamily(StringBuilder out, List<StreamMetrics> streams, String name, String type,
      String help, ToLongFunction<ShardMetrics> value) {
    header(out, name, type, help);
    for (StreamMetrics stream : streams) {
      new TreeMap<>(stream.shards()).forEach((shard, metrics) ->
          out.append(name).append("{stream=\"").append(escape(stream.streamName()))
              .append("\",shard=\"").append(escape(shard)).append("\"} ")
              .append(value.applyAsLong(metrics)).append('\n'));
    }
  }

  private static void header(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
