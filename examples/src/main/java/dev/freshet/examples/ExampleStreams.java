package dev.freshet.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamStatus;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the gallery's examples do to streams outside their pipelines: recreate the streams they own,
 * write their generated input, and read back what their pipelines wrote, through any {@link
 * StreamClient} (the embedded store or a server).
 */
public final class ExampleStreams {
  private static final long WAIT_MILLIS = 30_000;

  private ExampleStreams() {}

  /** Deletes {@code stream} if it exists, creates it with {@code shards} shards, waits until ACTIVE. */
  public static void recreate(StreamClient client, String stream, int shards) throws InterruptedException {
    if (exists(client, stream)) {
      client.deleteStream(stream, true);
      long deadline = System.currentTimeMillis() + WAIT_MILLIS;
      while (exists(client, stream)) {
        waitOrFail(deadline, "stream " + stream + " is still there 30 s after it was deleted");
      }
    }
    client.createStream(CreateStreamRequest.provisioned(stream, shards));
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (client.describeStreamSummary(stream).streamStatus() != StreamStatus.ACTIVE) {
      waitOrFail(deadline, "stream " + stream + " is not ACTIVE 30 s after it was created");
    }
  }

  /** Whether {@code stream} exists (in any state). */
  public static boolean exists(StreamClient client, String stream) {
    try {
      client.describeStreamSummary(stream);
      return true;
    } catch (ResourceNotFoundException e) {
      return false;
    }
  }

  /**
   * Writes {@code entries} in order, 500 per PutRecords, retrying the entries a call refused (only a
   * throttled stream refuses; a retried entry then lands after the others of its batch).
   */
  public static void put(StreamClient client, String stream, List<PutRecordsEntry> entries)
      throws InterruptedException {
    for (int from = 0; from < entries.size(); from += 500) {
      List<PutRecordsEntry> batch = entries.subList(from, Math.min(entries.size(), from + 500));
      for (int attempt = 1; !batch.isEmpty(); attempt++) {
        PutRecordsResult result = client.putRecords(stream, batch);
        if (result.failedRecordCount() == 0) {
          break;
        }
        if (attempt == 10) {
          throw new IllegalStateException(result.failedRecordCount() + " records were still refused by stream "
              + stream + " after 10 attempts");
        }
        List<PutRecordsEntry> refused = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
          if (result.records().get(i).errorCode() != null) {
            refused.add(batch.get(i));
          }
        }
        batch = refused;
        Thread.sleep(100L * attempt);
      }
    }
  }

  /** The data of every record {@code stream} holds, as UTF-8 text, shard by shard. */
  public static List<String> readAll(StreamClient client, String stream) {
    List<String> data = new ArrayList<>();
    for (Shard shard : client.listShards(ListShardsRequest.of(stream)).shards()) {
      String iterator = client.getShardIterator(stream, shard.shardId(), StartingPosition.trimHorizon());
      while (iterator != null) {
        GetRecordsResult page = client.getRecords(iterator, 1000);
        for (Record record : page.records()) {
          data.add(new String(record.data(), UTF_8));
        }
        iterator = page.records().isEmpty() || page.millisBehindLatest() == 0 && page.records().size() < 1000
            ? null : page.nextShardIterator();
      }
    }
    return data;
  }

  private static void waitOrFail(long deadline, String message) throws InterruptedException {
    if (System.currentTimeMillis() > deadline) {
      throw new IllegalStateException(message);
    }
    Thread.sleep(50);
  }
}
