package dev.freshet.kinesis.store;

import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Small helpers shared by the store tests. */
final class StoreTesting {
  private StoreTesting() {}

  static PutRecordsEntry entry(String key, String data) {
    return PutRecordsEntry.of(key, data.getBytes(StandardCharsets.UTF_8));
  }

  static String text(Record record) {
    return new String(record.data(), StandardCharsets.UTF_8);
  }

  /** Reads a shard from {@code position} until it has nothing more (or is finished). */
  static List<Record> readAll(StreamClient client, String stream, String shardId, StartingPosition position) {
    List<Record> records = new ArrayList<>();
    String iterator = client.getShardIterator(stream, shardId, position);
    while (iterator != null) {
      GetRecordsResult page = client.getRecords(iterator, 10_000);
      records.addAll(page.records());
      if (page.records().isEmpty()) {
        break;
      }
      iterator = page.nextShardIterator();
    }
    return records;
  }
}
