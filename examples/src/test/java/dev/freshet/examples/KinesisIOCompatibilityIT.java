package dev.freshet.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.HashKeyRange;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.aws2.common.ClientConfiguration;
import org.apache.beam.sdk.io.aws2.kinesis.KinesisIO;
import org.apache.beam.sdk.io.aws2.kinesis.KinesisPartitioner;
import org.apache.beam.sdk.io.aws2.kinesis.KinesisRecord;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.kinesis.common.InitialPositionInStream;

/**
 * Beam's own {@code KinesisIO} ({@code beam-sdks-java-io-amazon-web-services2}, unmodified) reading
 * and writing through {@code freshet server}, on the Direct runner, with only the endpoint changed.
 *
 * <p>A cross-module integration test (the server and store of {@code io-kinesis-local} driven by
 * Beam's KinesisIO): it lives in {@code examples}, which sees every module, so that no Freshet
 * module needs Beam's AWS IO, even at test scope (see {@code docs/architecture.md}).
 *
 * <p>The pipelines are built with {@link Pipeline#create} and run from JUnit 5 rather than through
 * {@code TestPipeline}, which is a JUnit 4 rule: the build runs only the Jupiter engine, and adding
 * the vintage engine for one class would split the test style. What {@code TestPipeline} would add
 * (that every {@code PAssert} ran) is covered by also collecting the output and asserting on it
 * here; a failed {@code PAssert} fails {@code waitUntilFinish} on the Direct runner either way.
 *
 * <p>KinesisIO's sync client (reads: Apache HTTP/1.1) and async client (writes: Netty, HTTP/2 in
 * cleartext) both use the SDK's default CBOR protocol, so the server's CBOR path is what is tested.
 */
class KinesisIOCompatibilityIT {
  /** Output of the read pipeline, collected in the Direct runner's JVM when the read has ended. */
  private static final Queue<Seen> SEEN = new ConcurrentLinkedQueue<>();

  @TempDir Path dir;
  private LocalStreamStore store;
  private KinesisServer server;

  @BeforeEach
  void start() {
    SEEN.clear();
    store = LocalStreamStore.open(StoreConfig.builder(dir).build());
    server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      // Every request KinesisIO made was answered 200: no operation or member it sends is refused
      // (a refusal it retried would not fail the pipeline). Requests naming no Kinesis operation
      // never reach these counters.
      HttpResponse<String> metrics = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(server.endpoint().resolve("/metrics")).build(), BodyHandlers.ofString());
      List<String> requests = metrics.body().lines()
          .filter(line -> line.startsWith("freshet_requests_total{")).collect(Collectors.toList());
      System.out.println("Kinesis requests served: " + requests);
      assertThat(requests).isNotEmpty().allSatisfy(line -> assertThat(line).contains("status=\"200\""));
    } finally {
      server.close();
      store.close();
    }
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void writeStoresEveryRecordOnce() {
    store.createStream(CreateStreamRequest.provisioned("written", 4));
    List<String> values = IntStream.range(0, 2_000).mapToObj(i -> "value-" + i).collect(Collectors.toList());

    Pipeline pipeline = pipeline();
    pipeline.apply(Create.of(values))
        .apply(KinesisIO.<String>write()
            .withStreamName("written")
            .withClientConfiguration(clientConfiguration())
            .withPartitioner(byValue())
            .withSerializer(value -> value.getBytes(UTF_8))
            // Each value as its own Kinesis record, so the store can be checked record by record;
            // the aggregated (KPL) form is covered by aggregatedWriteReadsBack.
            .withRecordAggregationDisabled());
    assertThat(pipeline.run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);

    Map<String, List<Record>> byShard = readAll("written");
    List<Record> stored = byShard.values().stream().flatMap(List::stream).collect(Collectors.toList());
    assertThat(stored).extracting(r -> new String(r.data(), UTF_8)).containsExactlyInAnyOrderElementsOf(values);
    assertThat(stored).allSatisfy(r -> assertThat(r.partitionKey()).isEqualTo(new String(r.data(), UTF_8)));
    // The partition keys spread the records over every shard.
    assertThat(byShard).hasSize(4).allSatisfy((shard, records) -> assertThat(records).isNotEmpty());
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void readReturnsEveryRecordWrittenBeforeExactlyOnce() {
    int count = 3_000;
    store.createStream(CreateStreamRequest.provisioned("before", 4));
    List<String> values = new ArrayList<>();
    for (int batch = 0; batch < count / 500; batch++) {
      List<PutRecordsEntry> entries = new ArrayList<>();
      for (int i = batch * 500; i < (batch + 1) * 500; i++) {
        values.add("record-" + i);
        entries.add(PutRecordsEntry.of("key-" + (i % 97), "record-" + i));
      }
      assertThat(store.putRecords("before", entries).failedRecordCount()).isZero();
    }

    Pipeline pipeline = pipeline();
    PCollection<String> read = pipeline
        .apply(KinesisIO.read()
            .withStreamName("before")
            .withClientConfiguration(clientConfiguration())
            .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
            .withMaxNumRecords(count)
            // Bounds the test if a record were lost: the read ends instead of waiting forever.
            .withMaxReadTime(org.joda.time.Duration.standardMinutes(2)))
        .apply(MapElements.into(TypeDescriptors.strings()).via(r -> new String(r.getDataAsBytes(), UTF_8)));
    PAssert.that(read).containsInAnyOrder(values);
    assertThat(pipeline.run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aggregatedWriteReadsBack() {
    store.createStream(CreateStreamRequest.provisioned("aggregated", 2));
    List<String> values = IntStream.range(0, 1_000).mapToObj(i -> "agg-" + i).collect(Collectors.toList());
    Pipeline write = pipeline();
    write.apply(Create.of(values))
        .apply(KinesisIO.<String>write()
            .withStreamName("aggregated")
            .withClientConfiguration(clientConfiguration())
            .withPartitioner(byValueIntoTwoShards())
            .withSerializer(value -> value.getBytes(UTF_8)));
    assertThat(write.run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);
    // KinesisIO packs the user records of a bundle that share an effective hash key into KPL
    // records. With partition keys alone that key is the shard's only once KinesisIO's background
    // ListShards has answered (before that, each key's own MD5, and nothing is packed); explicit
    // hash keys make it the same for half the records from the first one on.
    Map<String, List<Record>> stored = readAll("aggregated");
    assertThat(stored.values().stream().mapToInt(List::size).sum()).isLessThan(values.size());
    assertThat(stored).hasSize(2).allSatisfy((shard, records) -> assertThat(records).isNotEmpty());

    Pipeline read = pipeline();
    PCollection<String> records = read
        .apply(KinesisIO.read()
            .withStreamName("aggregated")
            .withClientConfiguration(clientConfiguration())
            .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
            .withMaxNumRecords(values.size())
            .withMaxReadTime(org.joda.time.Duration.standardMinutes(2)))
        .apply(MapElements.into(TypeDescriptors.strings()).via(r -> new String(r.getDataAsBytes(), UTF_8)));
    PAssert.that(records).containsInAnyOrder(values);
    assertThat(read.run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);
  }

  /**
   * A read running while shard 0 is split and shards 2 and 3 are merged through the store: every
   * record arrives once, and per key the records of a parent shard are read before those of its
   * children. The order is taken from {@link KinesisRecord#getReadTime()}, the moment KinesisIO
   * fetched the record, since the Direct runner does not keep element order across bundles.
   *
   * <p>The split is made once the read is running and right after a batch of writes, so the parent
   * usually still has records KinesisIO has not fetched; it must finish them before it opens the
   * children. Before the merge the writer waits until the reader has caught up: KinesisIO's
   * polling reader opens a merged child as soon as the shard named {@code ParentShardId} ends, without
   * waiting for the {@code AdjacentParentShardId} (ShardRecordsIterator.findSuccessiveShardRecordIterators
   * in Beam 2.70), so it does not promise parent-first order for keys of the adjacent parent when
   * that parent still has a backlog; that is Beam's behaviour, not the server's.
   */
  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void readDuringSplitAndMergeSeesEveryRecordOnceParentsFirst() throws Exception {
    int keys = 64;
    int perPhase = 2_000;
    int total = 3 * perPhase;
    store.createStream(CreateStreamRequest.provisioned("resharded", 4));

    Pipeline pipeline = pipeline();
    pipeline
        .apply(KinesisIO.read()
            .withStreamName("resharded")
            .withClientConfiguration(clientConfiguration())
            .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
            .withMaxNumRecords(total)
            .withMaxReadTime(org.joda.time.Duration.standardMinutes(3)))
        .apply(ParDo.of(new Collect()));

    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      int[] next = new int[keys];
      writePhase("resharded", next, perPhase / 2);
      awaitFetched("resharded", 1);
      // Split right after more writes, typically before the reader has fetched them.
      writePhase("resharded", next, perPhase / 2);
      BigInteger middleOfShard0 = HashKeyRange.MAX_HASH_KEY.add(BigInteger.ONE).shiftRight(3);
      store.splitShard("resharded", "shardId-000000000000", middleOfShard0);
      writePhase("resharded", next, perPhase);
      awaitFetched("resharded", 2 * perPhase);
      store.mergeShards("resharded", "shardId-000000000002", "shardId-000000000003");
      writePhase("resharded", next, perPhase);
    });
    PipelineResult.State state = pipeline.run().waitUntilFinish();
    writer.get(1, TimeUnit.MINUTES);
    assertThat(state).isEqualTo(PipelineResult.State.DONE);

    List<Shard> shards = store.listShards(ListShardsRequest.of("resharded")).shards();
    Map<String, Shard> byId = shards.stream().collect(Collectors.toMap(Shard::shardId, s -> s));
    assertThat(byId).hasSize(7);
    assertThat(shards).filteredOn(s -> "shardId-000000000000".equals(s.parentShardId())).hasSize(2);
    assertThat(shards).filteredOn(s -> "shardId-000000000002".equals(s.parentShardId())
        && "shardId-000000000003".equals(s.adjacentParentShardId())).hasSize(1);

    List<Seen> seen = new ArrayList<>(SEEN);
    assertThat(seen).extracting(Seen::value).doesNotHaveDuplicates().hasSize(total);
    // Records reached every shard generation: the roots, both split children and the merged child.
    assertThat(seen).extracting(Seen::shardId).containsAll(byId.keySet());

    Map<String, List<Seen>> perKey = seen.stream().collect(Collectors.groupingBy(Seen::key));
    for (List<Seen> records : perKey.values()) {
      records.sort(Comparator.comparingInt(Seen::index));
      for (int i = 1; i < records.size(); i++) {
        Seen before = records.get(i - 1);
        Seen after = records.get(i);
        assertThat(after.readMillis())
            .as("%s (in %s) was read before the earlier %s (in %s)", after.value(), after.shardId(),
                before.value(), before.shardId())
            .isGreaterThanOrEqualTo(before.readMillis());
        if (!after.shardId().equals(before.shardId())) {
          assertThat(isAncestor(byId, before.shardId(), after.shardId()))
              .as("%s is in %s, which does not descend from %s holding the earlier %s",
                  after.value(), after.shardId(), before.shardId(), before.value())
              .isTrue();
        }
      }
    }
  }

  private void writePhase(String stream, int[] next, int count) {
    int keys = next.length;
    for (int start = 0; start < count; start += 100) {
      List<PutRecordsEntry> entries = new ArrayList<>();
      for (int i = start; i < start + 100; i++) {
        int key = i % keys;
        entries.add(PutRecordsEntry.of("key-" + key, "key-" + key + "|" + next[key]++));
      }
      if (store.putRecords(stream, entries).failedRecordCount() != 0) {
        throw new IllegalStateException("a local write failed");
      }
    }
  }

  /**
   * Waits until readers have fetched {@code count} records of {@code stream}, by the store's
   * outgoing-record counters. The pipeline's own output cannot show progress: a read bounded with
   * {@code withMaxNumRecords} runs each split to its end inside one bundle, so nothing reaches the
   * next transform before the read is over.
   */
  private void awaitFetched(String stream, long count) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    long fetched;
    while ((fetched = fetched(stream)) < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the pipeline fetched " + fetched + " of " + count + " records");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private long fetched(String stream) {
    return store.metrics(stream).shards().values().stream().mapToLong(m -> m.outgoingRecords()).sum();
  }

  private static boolean isAncestor(Map<String, Shard> shards, String ancestor, String shardId) {
    Shard shard = shards.get(shardId);
    if (shard == null) {
      return false;
    }
    for (String parent : new String[] {shard.parentShardId(), shard.adjacentParentShardId()}) {
      if (parent != null && (parent.equals(ancestor) || isAncestor(shards, ancestor, parent))) {
        return true;
      }
    }
    return false;
  }

  /** Every record of every shard of {@code stream} by shard id, through the store's Java API. */
  private Map<String, List<Record>> readAll(String stream) {
    Map<String, List<Record>> byShard = new java.util.TreeMap<>();
    for (Shard shard : store.listShards(ListShardsRequest.of(stream)).shards()) {
      List<Record> records = byShard.computeIfAbsent(shard.shardId(), id -> new ArrayList<>());
      String iterator = store.getShardIterator(stream, shard.shardId(), StartingPosition.trimHorizon());
      while (iterator != null) {
        GetRecordsResult page = store.getRecords(iterator, 10_000);
        if (page.records().isEmpty()) {
          break;
        }
        records.addAll(page.records());
        iterator = page.nextShardIterator();
      }
    }
    return byShard;
  }

  private ClientConfiguration clientConfiguration() {
    return ClientConfiguration.builder()
        .endpoint(server.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .build();
  }

  private static Pipeline pipeline() {
    DirectOptions options = PipelineOptionsFactory.create().as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    options.setBlockOnRun(true);
    return Pipeline.create(options);
  }

  private static KinesisPartitioner<String> byValue() {
    return value -> value;
  }

  /**
   * The value as partition key, and an explicit hash key in the middle of one of the two shards of
   * a two-shard stream, by the value's last digit.
   */
  private static KinesisPartitioner<String> byValueIntoTwoShards() {
    return new KinesisPartitioner<>() {
      @Override
      public String getPartitionKey(String value) {
        return value;
      }

      @Override
      public String getExplicitHashKey(String value) {
        int shard = (value.charAt(value.length() - 1) - '0') % 2;
        return BigInteger.ONE.shiftLeft(126).multiply(BigInteger.valueOf(2L * shard + 1)).toString();
      }
    };
  }

  /** One record as the pipeline saw it. */
  record Seen(String key, int index, String value, String shardId, long readMillis) {}

  /** Records each element in {@link #SEEN}; the Direct runner runs it in this JVM. */
  static final class Collect extends DoFn<KinesisRecord, Void> {
    @ProcessElement
    public void process(@Element KinesisRecord record) {
      String value = new String(record.getDataAsBytes(), UTF_8);
      String[] parts = value.split("\\|", 2);
      SEEN.add(new Seen(parts[0], Integer.parseInt(parts[1]), value, record.getShardId(),
          record.getReadTime().getMillis()));
    }
  }
}
