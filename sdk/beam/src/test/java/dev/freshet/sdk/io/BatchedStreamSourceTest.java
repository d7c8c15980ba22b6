package dev.freshet.sdk.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.CoderUtils;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batched read the Direct runner uses, driven directly: each batch's records with their own
 * timestamps, and checkpoint → encode → decode → resume between batches, nothing lost or repeated.
 */
class BatchedStreamSourceTest {
  private static final long BASE_MILLIS = 1_700_000_000_000L;

  @TempDir Path dir;
  @RegisterExtension final StoreFixture store = new StoreFixture();
  private final PipelineOptions options = PipelineOptionsFactory.create();

  /** The event time carried in the data {@code e-<i>}: a base plus 10 ms per record, out of order. */
  static Instant eventTimeOf(StreamRecord record) {
    int i = Integer.parseInt(record.dataAsString().substring(2));
    return new Instant(BASE_MILLIS + (i * 37L % 100) * 10);
  }

  private StreamIO.Read read(String stream) {
    return StreamIO.read().withStream(stream).withEndpoint(store.endpoint())
        .withStartingPosition(StartingPosition.trimHorizon()).withPollInterval(org.joda.time.Duration.millis(1))
        .withWatermarkPolicy(WatermarkPolicy.eventTime(BatchedStreamSourceTest::eventTimeOf));
  }

  private static void putAll(StreamClient client, String stream, int count) {
    List<PutRecordsEntry> batch = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      batch.add(PutRecordsEntry.of("key-" + i, ("e-" + i).getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(client.putRecords(stream, batch).failedRecordCount()).isZero();
  }

  /** Advances until {@code count} records were read in batches, or nothing more comes. */
  private static List<StreamRecordBatch> take(BatchedStreamSource.Reader reader, int count, boolean started)
      throws Exception {
    List<StreamRecordBatch> batches = new ArrayList<>();
    int records = 0;
    boolean available = started;
    int idle = 0;
    while (records < count && idle < 200) {
      if (available) {
        batches.add(reader.getCurrent());
        records += reader.getCurrent().size();
        idle = 0;
      } else {
        idle++;
        Thread.onSpinWait();
      }
      if (records < count) {
        available = reader.advance();
      }
    }
    return batches;
  }

  @Test
  void aBatchKeepsEachRecordsOwnTimestampAndIsStampedWithTheEarliest() throws Exception {
    StreamClient client = store.open(dir);
    client.createStream(CreateStreamRequest.provisioned("t", 2));
    putAll(client, "t", 100);
    BatchedStreamSource source = new BatchedStreamSource(new StreamSource(read("t"), null), 16);
    BatchedStreamSource.Reader reader = source.split(1, options).get(0).createReader(options, null);

    List<StreamRecordBatch> batches = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    boolean available = reader.start();
    while (seen.size() < 100) {
      if (available) {
        StreamRecordBatch batch = reader.getCurrent();
        batches.add(batch);
        assertThat(batch.size()).isBetween(1, 16);
        Instant earliest = null;
        for (int i = 0; i < batch.size(); i++) {
          assertThat(batch.timestamp(i)).isEqualTo(eventTimeOf(batch.record(i)));
          earliest = earliest == null || batch.timestamp(i).isBefore(earliest) ? batch.timestamp(i) : earliest;
          assertThat(seen.add(batch.record(i).dataAsString())).isTrue();
        }
        assertThat(reader.getCurrentTimestamp()).isEqualTo(earliest);
      }
      available = reader.advance();
    }
    reader.close();
    assertThat(batches.size()).isGreaterThanOrEqualTo(100 / 16);
    assertThat(batches).anySatisfy(batch -> assertThat(batch.size()).isGreaterThan(1));
  }

  @Test
  void aCheckpointBetweenBatchesResumesRightAfterTheLastRecordHandedOut() throws Exception {
    StreamClient client = store.open(dir);
    client.createStream(CreateStreamRequest.provisioned("c", 3));
    putAll(client, "c", 300);
    List<BatchedStreamSource> splits = new BatchedStreamSource(new StreamSource(read("c"), null), 7)
        .split(2, options);
    assertThat(splits).hasSize(2);

    Set<String> seen = new HashSet<>();
    for (BatchedStreamSource split : splits) {
      BatchedStreamSource.Reader reader = split.createReader(options, null);
      List<StreamRecordBatch> first = take(reader, 50, reader.start());
      StreamRecordBatch last = first.get(first.size() - 1);
      StreamRecord lastRecord = last.record(last.size() - 1);
      StreamCheckpointMark mark = reader.getCheckpointMark();
      reader.close();
      // The mark names the last record handed out in its shard.
      assertThat(mark.shards()).anySatisfy(shard -> {
        assertThat(shard.shardId()).isEqualTo(lastRecord.shardId());
        assertThat(shard.sequenceNumber()).isEqualTo(lastRecord.sequenceNumber());
      });

      StreamCheckpointMark restored = CoderUtils.clone(split.getCheckpointMarkCoder(), mark);
      BatchedStreamSource.Reader resumed = split.createReader(options, restored);
      List<StreamRecordBatch> rest = take(resumed, 1000, resumed.start());
      resumed.close();
      for (StreamRecordBatch batch : first) {
        for (int i = 0; i < batch.size(); i++) {
          assertThat(seen.add(batch.record(i).dataAsString())).as("read twice: %s", batch.record(i)).isTrue();
        }
      }
      for (StreamRecordBatch batch : rest) {
        for (int i = 0; i < batch.size(); i++) {
          assertThat(seen.add(batch.record(i).dataAsString()))
              .as("read twice after resume: %s", batch.record(i)).isTrue();
        }
      }
    }
    assertThat(seen).hasSize(300);
  }

  @Test
  void coderRoundTripsABatchWithItsTimestamps() throws CoderException {
    List<StreamRecord> records = List.of(
        StreamRecord.of("s", "shardId-000000000000", "49000000000000000000000000000001", 0, "k1",
            new Instant(5), new byte[] {1, 2}),
        StreamRecord.of("s", "shardId-000000000001", "49000000010000000000000000000001", 3, "k2",
            new Instant(6), new byte[0]));
    StreamRecordBatch batch = new StreamRecordBatch(records, new long[] {BASE_MILLIS, -7});
    StreamRecordBatch decoded = CoderUtils.clone(StreamRecordBatch.Coder.of(), batch);
    assertThat(decoded).isEqualTo(batch);
    assertThat(decoded.timestamp(1)).isEqualTo(new Instant(-7));
    assertThat(decoded.minTimestamp()).isEqualTo(new Instant(-7));
  }

  @Test
  void coderRefusesAnotherVersion() throws CoderException {
    StreamRecordBatch batch = new StreamRecordBatch(List.of(StreamRecord.of("s", "shardId-000000000000", "49",
        0, "k", new Instant(1), new byte[] {1})), new long[] {1});
    byte[] bytes = CoderUtils.encodeToByteArray(StreamRecordBatch.Coder.of(), batch);
    bytes[0] = 9;
    assertThatThrownBy(() -> CoderUtils.decodeFromByteArray(StreamRecordBatch.Coder.of(), bytes))
        .isInstanceOf(CoderException.class).hasMessageContaining("version 9");
  }
}
