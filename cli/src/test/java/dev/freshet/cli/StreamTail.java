package dev.freshet.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Follows a stream that is being written (without resharding) and counts how often each payload
 * arrived, so a test can watch a pipeline's output grow and then check it for gaps and duplicates.
 */
final class StreamTail {
  private final StreamClient client;
  private final Map<String, String> iterators = new LinkedHashMap<>();
  private final Map<String, Integer> occurrences = new HashMap<>();
  private long records;

  StreamTail(StreamClient client, String stream) {
    this.client = client;
    for (Shard shard : client.listShards(ListShardsRequest.of(stream)).shards()) {
      iterators.put(shard.shardId(),
          client.getShardIterator(stream, shard.shardId(), StartingPosition.trimHorizon()));
    }
  }

  /** Reads everything written since the last call; returns the number of records read so far. */
  synchronized long poll() {
    for (Map.Entry<String, String> shard : iterators.entrySet()) {
      while (true) {
        GetRecordsResult page = client.getRecords(shard.getValue(), 10_000);
        shard.setValue(page.nextShardIterator());
        page.records().forEach(record ->
            occurrences.merge(new String(record.data(), UTF_8), 1, Integer::sum));
        records += page.records().size();
        if (page.records().isEmpty()) {
          break;
        }
      }
    }
    return records;
  }

  /** Records read so far, duplicates included. */
  synchronized long records() {
    return records;
  }

  /** Distinct payloads read so far. */
  synchronized int distinct() {
    return occurrences.size();
  }

  /** How often each payload was read. */
  synchronized Map<String, Integer> occurrences() {
    return Map.copyOf(occurrences);
  }
}
