package dev.freshet.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads whole streams back and writes numbered records, for tests that check what a pipeline wrote. */
final class StreamContents {
  private StreamContents() {}

  /** The data of every record in {@code stream} up to now, as UTF-8 strings, shard by shard. */
  static List<String> payloads(StreamClient client, String stream) {
    List<String> payloads = new ArrayList<>();
    for (Shard shard : client.listShards(ListShardsRequest.of(stream)).shards()) {
      String iterator = client.getShardIterator(stream, shard.shardId(), StartingPosition.trimHorizon());
      while (iterator != null) {
        GetRecordsResult page = client.getRecords(iterator, 10_000);
        page.records().forEach(record -> payloads.add(new String(record.data(), UTF_8)));
        iterator = page.records().isEmpty() ? null : page.nextShardIterator();
      }
    }
    return payloads;
  }

  /**
   * Writes records {@code from} (inclusive) to {@code to} (exclusive), each with the payload {@link
   * #payload(long)} and its own partition key, in PutRecords batches of 500; fails on a refused
   * entry, so every number in the range is in the stream once.
   */
  static void putNumbered(StreamClient client, String stream, long from, long to) {
    List<PutRecordsEntry> batch = new ArrayList<>();
    for (long n = from; n < to; n++) {
      batch.add(PutRecordsEntry.of("key-" + n, payload(n)));
      if (batch.size() == 500 || n == to - 1) {
        PutRecordsResult result = client.putRecords(stream, batch);
        if (result.failedRecordCount() > 0) {
          throw new AssertionError(result.failedRecordCount() + " records refused by " + stream);
        }
        batch.clear();
      }
    }
  }

  /** The payload of record {@code n}: its unique id and some filler. */
  static String payload(long n) {
    return String.format("id-%09d|%s", n, "x".repeat(64));
  }

  /**
   * Asserts that {@code payloads} are exactly those of records 0 to {@code count - 1}, naming up to
   * ten missing and ten unexpected ones (in linear time: AssertJ's in-any-order comparison is
   * quadratic, minutes for a few hundred thousand records).
   */
  static void assertSameSet(java.util.Set<String> payloads, long count) {
    java.util.Set<String> expected = new java.util.HashSet<>();
    for (long n = 0; n < count; n++) {
      expected.add(payload(n));
    }
    List<String> missing = expected.stream().filter(p -> !payloads.contains(p)).sorted().limit(10).toList();
    List<String> unexpected = payloads.stream().filter(p -> !expected.contains(p)).sorted().limit(10).toList();
    org.assertj.core.api.Assertions.assertThat(missing).as("missing records (first 10)").isEmpty();
    org.assertj.core.api.Assertions.assertThat(unexpected).as("unexpected records (first 10)").isEmpty();
    org.assertj.core.api.Assertions.assertThat(payloads).hasSize(expected.size());
  }

  /** How often each payload occurs in {@code payloads}. */
  static Map<String, Integer> occurrences(List<String> payloads) {
    Map<String, Integer> counts = new HashMap<>();
    payloads.forEach(payload -> counts.merge(payload, 1, Integer::sum));
    return counts;
  }
}
