package dev.freshet.sdk.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source's contract, driven directly: start/advance/current/watermark and checkpoint → resume. */
class StreamSourceContractTest {
  @TempDir Path dir;
  private URI endpoint;
  private StreamClients.Lease lease;
  private StreamClient client;
  private final PipelineOptions options = PipelineOptionsFactory.create();

  private KinesisServer server;

  /**
   * Whether the reader goes through {@code freshet server} (then GetRecords answers in Freshet's
   * binary layout and the reader takes records from the answer's page) rather than the embedded
   * store; {@link StreamSourceContractServerTest} runs every test that way.
   */
  boolean throughServer() {
    return false;
  }

  @BeforeEach
  void open() {
    URI file = StreamClients.endpointOf(dir);
    lease = StreamClients.acquire(file);
    client = lease.client();
    endpoint = file;
    if (throughServer()) {
      server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), client);
      endpoint = server.endpoint();
    }
  }

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    lease.close();
  }

  private StreamIO.Read read(String stream) {
    return StreamIO.read().withStream(stream).withEndpoint(endpoint)
        .withStartingPosition(StartingPosition.trimHorizon()).withPollInterval(org.joda.time.Duration.millis(1));
  }

  private void put(String stream, String key, String data) {
    client.putRecord(stream, PutRecordsEntry.of(key, data.getBytes(StandardCharsets.UTF_8)), null);
  }

  /** Advances until {@code count} records were read or nothing more comes. */
  private static List<StreamRecord> take(StreamReader reader, int count, boolean started) throws Exception {
    List<StreamRecord> records = new ArrayList<>();
    boolean available = started;
    int idle = 0;
    while (records.size() < count && idle < 200) {
      if (available) {
        records.add(reader.getCurrent());
        idle = 0;
      } else {
        idle++;
        Thread.onSpinWait();
      }
      if (records.size() < count) {
        available = reader.advance();
      }
    }
    return records;
  }

  /**
   * A read with a stop time lets its endpoint go as soon as it is done, before close(): the Direct
   * runner may never close a reader whose last evaluation both output records and reached the end
   * of time, and the embedded store would then stay open in the JVM.
   */
  @Test
  void aStopTimeReadReleasesTheEndpointOnceDone() throws Exception {
    client.createStream(CreateStreamRequest.provisioned("s", 1));
    for (int i = 0; i < 5; i++) {
      put("s", "key-" + i, "v" + i);
    }
    Thread.sleep(5);
    StreamReader reader = new StreamSource(read("s").withStopReadingAt(org.joda.time.Instant.now()), null)
        .split(1, options).get(0).createReader(options, null);
    boolean available = reader.start();
    if (!throughServer()) {
      lease.close(); // from now on, the reader's lease alone keeps the store open
    } // through a server, the test holds no lease on the server's endpoint: the reader's alone
    List<StreamRecord> records = take(reader, 5, available);
    assertThat(records).hasSize(5);
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (reader.getWatermark().isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE) && System.nanoTime() < deadline) {
      assertThat(reader.advance()).isFalse();
      Thread.sleep(1);
    }
    assertThat(reader.getWatermark()).isEqualTo(BoundedWindow.TIMESTAMP_MAX_VALUE);
    assertThat(reader.advance()).isFalse();
    assertThat(StreamClients.isOpen(endpoint)).as("the store, once the read is done").isFalse();
    assertThat(reader.getSplitBacklogBytes()).isZero();
    reader.close(); // still allowed, and a no-op
    assertThat(StreamClients.isOpen(endpoint)).isFalse();
  }

  @Test
  void readsEveryShardAndResumesExactlyAfterTheCheckpoint() throws Exception {
    client.createStream(CreateStreamRequest.provisioned("c", 3));
    for (int i = 0; i < 300; i++) {
      put("c", "key-" + i, "v" + i);
    }
    StreamSource source = new StreamSource(read("c"), null);
    List<StreamSource> splits = source.split(2, options);
    assertThat(splits).hasSize(2);

    Set<String> seen = new HashSet<>();
    for (StreamSource split : splits) {
      StreamReader reader = split.createReader(options, null);
      List<StreamRecord> first = take(reader, 70, reader.start());
      assertThat(first).hasSize(70);
      assertThat(reader.getCurrentTimestamp()).isEqualTo(reader.getCurrent().approximateArrivalTimestamp());
      assertThat(reader.getWatermark()).isGreaterThan(BoundedWindow.TIMESTAMP_MIN_VALUE);
      StreamCheckpointMark mark = reader.getCheckpointMark();
      reader.close();

      // Encode and decode the mark, as a runner would, and resume from it.
      StreamCheckpointMark restored = CoderUtils.clone(StreamCheckpointMarkCoder.of(), mark);
      StreamReader resumed = split.createReader(options, restored);
      List<StreamRecord> rest = take(resumed, 1000, resumed.start());
      resumed.close();
      for (StreamRecord record : first) {
        assertThat(seen.add(record.dataAsString())).as("read twice: %s", record).isTrue();
      }
      for (StreamRecord record : rest) {
        assertThat(seen.add(record.dataAsString())).as("read twice after resume: %s", record).isTrue();
      }
    }
    assertThat(seen).hasSize(300);
  }

  @Test
  void parentsAreDrainedBeforeChildrenAndNeverCheckpointedTogether() throws Exception {
    client.createStream(CreateStreamRequest.provisioned("r", 1));
    for (int i = 0; i < 50; i++) {
      put("r", "key-" + (i % 10), "before-" + i);
    }
    StreamReader reader = new StreamSource(read("r"), null).split(1, options).get(0).createReader(options, null);
    List<StreamRecord> records = new ArrayList<>(take(reader, 10, reader.start()));

    client.splitShard("r", "shardId-000000000000", BigInteger.ONE.shiftLeft(127));
    for (int i = 0; i < 50; i++) {
      put("r", "key-" + (i % 10), "after-" + i);
    }
    boolean sawChildren = false;
    while (records.size() < 100) {
      if (reader.advance()) {
        records.add(reader.getCurrent());
        List<String> inMark = reader.getCheckpointMark().shardIds();
        if (!reader.getCurrent().shardId().equals("shardId-000000000000")) {
          sawChildren = true;
          assertThat(inMark).doesNotContain("shardId-000000000000");
        }
      }
    }
    reader.close();
    assertThat(sawChildren).isTrue();
    // Per key: every "before" record precedes every "after" record.
    Map<String, List<String>> perKey = new HashMap<>();
    for (StreamRecord record : records) {
      perKey.computeIfAbsent(record.partitionKey(), k -> new ArrayList<>()).add(record.dataAsString());
    }
    perKey.forEach((key, values) -> {
      int lastBefore = -1;
      int firstAfter = Integer.MAX_VALUE;
      for (int i = 0; i < values.size(); i++) {
        if (values.get(i).startsWith("before")) {
          lastBefore = i;
        } else {
          firstAfter = Math.min(firstAfter, i);
        }
      }
      assertThat(lastBefore).as(key).isLessThan(firstAfter);
    });
    assertThat(records).extracting(StreamRecord::dataAsString).doesNotHaveDuplicates();
    List<Shard> shards = client.describeStream("r").shards();
    assertThat(shards).hasSize(3);
  }

  @Test
  void aMergeChildWaitsForBothParentsInTheSameSplit() throws Exception {
    client.createStream(CreateStreamRequest.provisioned("m", 2));
    for (int i = 0; i < 40; i++) {
      put("m", "key-" + i, "before-" + i);
    }
    StreamReader reader = new StreamSource(read("m"), null).split(1, options).get(0).createReader(options, null);
    List<StreamRecord> records = new ArrayList<>(take(reader, 5, reader.start()));
    client.mergeShards("m", "shardId-000000000000", "shardId-000000000001");
    for (int i = 0; i < 40; i++) {
      put("m", "key-" + i, "after-" + i);
    }
    records.addAll(take(reader, 75, reader.advance()));
    reader.close();
    assertThat(records).hasSize(80);
    int lastBefore = 0;
    int firstAfter = Integer.MAX_VALUE;
    for (int i = 0; i < records.size(); i++) {
      if (records.get(i).dataAsString().startsWith("before")) {
        lastBefore = i;
      } else {
        firstAfter = Math.min(firstAfter, i);
      }
    }
    assertThat(lastBefore).isLessThan(firstAfter);
    assertThat(records.get(79).shardId()).isEqualTo("shardId-000000000002");
  }

  @Test
  void anIdleCaughtUpShardStopsHoldingTheWatermarkBack() throws Exception {
    client.createStream(CreateStreamRequest.provisioned("w", 2));
    put("w", "k", "only");
    StreamIO.Read read = read("w").withWatermarkPolicy(
        WatermarkPolicy.arrivalTime().withIdleThreshold(org.joda.time.Duration.ZERO));
    StreamReader reader = new StreamSource(read, null).split(1, options).get(0).createReader(options, null);
    take(reader, 1, reader.start());
    for (int i = 0; i < 5; i++) {
      reader.advance(); // fetch both shards until each reports it is caught up
    }
    org.joda.time.Instant before = org.joda.time.Instant.now();
    assertThat(reader.getWatermark()).isGreaterThanOrEqualTo(before.minus(org.joda.time.Duration.standardSeconds(1)));
    reader.close();
  }

  @Test
  void anEventTimeWatermarkTrailsTheNewestTimestampByTheDelay() throws Exception {
    client.createStream(CreateStreamRequest.provisioned("late", 1));
    put("late", "k", "1000000");
    put("late", "k", "1060000");
    StreamIO.Read read = read("late").withWatermarkPolicy(
        WatermarkPolicy.eventTime(record -> new org.joda.time.Instant(Long.parseLong(record.dataAsString())))
            .withIdleThreshold(org.joda.time.Duration.standardHours(1))
            .withWatermarkDelay(org.joda.time.Duration.standardSeconds(5)));
    StreamReader reader = new StreamSource(read, null).split(1, options).get(0).createReader(options, null);
    List<StreamRecord> records = take(reader, 2, reader.start());
    assertThat(records).hasSize(2);
    assertThat(reader.getCurrentTimestamp()).isEqualTo(new org.joda.time.Instant(1_060_000));
    assertThat(reader.getWatermark()).isEqualTo(new org.joda.time.Instant(1_055_000));
    reader.close();
  }
}
