package dev.freshet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Test helpers: a stream's records as text, and waiting for a condition with a deadline. */
final class StreamContents {
  private StreamContents() {}

  /** Every record of every shard, each shard in order, shards in id order. */
  static List<String> read(StreamClient client, String stream) {
    List<String> out = new ArrayList<>();
    for (Shard shard : client.listShards(ListShardsRequest.of(stream)).shards()) {
      String iterator = client.getShardIterator(stream, shard.shardId(), StartingPosition.trimHorizon());
      while (iterator != null) {
        GetRecordsResult result = client.getRecords(iterator, 10_000);
        for (Record r : result.records()) {
          out.add(new String(r.data(), StandardCharsets.UTF_8));
        }
        if (result.records().isEmpty()) {
          break;
        }
        iterator = result.nextShardIterator();
      }
    }
    return out;
  }

  /**
   * Checks that {@code records} holds each of {@code expected}'s lines exactly once, and each group's
   * (the text before the first '-') lines in the order written.
   */
  static void assertExactlyOnceInOrder(List<String> records, List<String> expected) {
    assertThat(records).as("records stored").hasSameSizeAs(expected);
    assertThat(records).as("every line once").containsExactlyInAnyOrderElementsOf(expected);
    assertThat(byGroup(records)).as("each file's lines in file order").isEqualTo(byGroup(expected));
  }

  /** The lines of each group (the text before the first '-'), in the order given. */
  private static Map<String, List<String>> byGroup(List<String> lines) {
    Map<String, List<String>> groups = new TreeMap<>();
    for (String line : lines) {
      groups.computeIfAbsent(line.substring(0, line.indexOf('-')), g -> new ArrayList<>()).add(line);
    }
    return groups;
  }

  /** Polls {@code condition} until it holds, failing with {@code state} after {@code timeout}. */
  static void await(BooleanSupplier condition, Duration timeout, Supplier<String> state) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within " + timeout + ": " + state.get());
      }
      Thread.sleep(20);
    }
  }
}
