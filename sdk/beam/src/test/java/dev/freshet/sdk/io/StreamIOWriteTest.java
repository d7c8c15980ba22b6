package dev.freshet.sdk.io;

import static dev.freshet.sdk.io.StreamIOTesting.directPipeline;
import static dev.freshet.sdk.io.StreamIOTesting.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.kinesis.store.ThrottlingMode;
import dev.freshet.sdk.aggregation.AggregatedRecords;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import dev.freshet.sdk.stream.errors.ProvisionedThroughputExceededException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** StreamIO.write() in real pipelines on the Direct runner, against the embedded store and the server. */
class StreamIOWriteTest {
  @TempDir Path dir;
  @RegisterExtension final StoreFixture store = new StoreFixture();

  /** The values as one bundle: a single element flattened, so the writer sees them in this order. */
  private static PCollection<String> oneBundle(Pipeline pipeline, List<String> values) {
    return pipeline
        .apply(Create.of(List.of(values)).withCoder(ListCoder.of(StringUtf8Coder.of())))
        .apply(FlatMapElements.into(TypeDescriptors.strings()).via((List<String> list) -> list));
  }

  /** key-3 for "v-13": ten keys, each with an increasing sequence of values. */
  private static String keyOf(String value) {
    return "key-" + (Integer.parseInt(value.substring(value.indexOf('-') + 1)) % 10);
  }

  private static StreamIO.Write<String> strings(String stream, URI endpoint) {
    return StreamIO.<String>write()
        .withStream(stream)
        .withEndpoint(endpoint)
        .withPartitionKey(StreamIOWriteTest::keyOf)
        .withSerializer(s -> s.getBytes(StandardCharsets.UTF_8));
  }

  /** Every raw record of the stream, by shard in shard order, retrying reads a throttled store refuses. */
  private static Map<String, List<Record>> rawRecords(StreamClient client, String stream) throws InterruptedException {
    Map<String, List<Record>> out = new LinkedHashMap<>();
    for (Shard shard : client.listShards(ListShardsRequest.of(stream)).shards()) {
      List<Record> records = new ArrayList<>();
      String iterator = client.getShardIterator(stream, shard.shardId(), StartingPosition.trimHorizon());
      while (iterator != null) {
        GetRecordsResult result;
        try {
          result = client.getRecords(iterator, 10_000);
        } catch (ProvisionedThroughputExceededException e) {
          Thread.sleep(200);
          continue;
        }
        records.addAll(result.records());
        if (result.records().isEmpty() && result.millisBehindLatest() == 0) {
          break;
        }
        iterator = result.nextShardIterator();
      }
      out.put(shard.shardId(), records);
    }
    return out;
  }

  private static List<String> dataOf(Map<String, List<Record>> byShard) {
    List<String> out = new ArrayList<>();
    byShard.values().forEach(records -> records.forEach(r -> out.add(new String(r.data(), StandardCharsets.UTF_8))));
    return out;
  }

  @Test
  void writesEveryElementOnceKeepingPerKeyOrderWithinAShard() throws Exception {
    StreamClient client = store.open(dir);
    client.createStream(CreateStreamRequest.provisioned("out", 4));
    List<String> expected = values("v-", 3000);

    Pipeline pipeline = directPipeline();
    oneBundle(pipeline, expected).apply(strings("out", store.endpoint()).withMaxBatchRecords(100));
    pipeline.run().waitUntilFinish();

    Map<String, List<Record>> byShard = rawRecords(client, "out");
    assertThat(dataOf(byShard)).containsExactlyInAnyOrderElementsOf(expected);
    for (List<Record> records : byShard.values()) {
      Map<String, Integer> lastByKey = new HashMap<>();
      for (Record record : records) {
        int index = Integer.parseInt(new String(record.data(), StandardCharsets.UTF_8).substring(2));
        assertThat(record.partitionKey()).isEqualTo(keyOf("v-" + index));
        Integer previous = lastByKey.put(record.partitionKey(), index);
        assertThat(previous == null || previous < index)
            .as("record %s of key %s after %s", index, record.partitionKey(), previous).isTrue();
      }
    }
  }

  @Test
  void copiesOneStreamToAnotherThroughAChainOfStages() throws Exception {
    StreamClient client = store.open(dir);
    client.createStream(CreateStreamRequest.provisioned("a", 4));
    client.createStream(CreateStreamRequest.provisioned("b", 2));
    List<String> input = values("a-", 2000);
    for (int i = 0; i < input.size(); i += 500) {
      List<PutRecordsEntry> batch = new ArrayList<>();
      input.subList(i, i + 500).forEach(v -> batch.add(PutRecordsEntry.of(keyOf(v), v)));
      assertThat(client.putRecords("a", batch).failedRecordCount()).isZero();
    }

    Pipeline pipeline = directPipeline();
    pipeline
        .apply(StreamIO.read().withStream("a").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon()).withMaxNumRecords(2000))
        .apply(MapElements.into(TypeDescriptors.strings()).via(r -> "b" + r.dataAsString()))
        .apply(strings("b", store.endpoint()));
    pipeline.run().waitUntilFinish();

    List<String> expected = new ArrayList<>();
    input.forEach(v -> expected.add("b" + v));
    assertThat(dataOf(rawRecords(client, "b"))).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void aggregatesInTheKplFormatAndReadDeaggregatesEveryUserRecord() throws Exception {
    StreamClient client = store.open(dir);
    client.createStream(CreateStreamRequest.provisioned("a", 2));
    client.createStream(CreateStreamRequest.provisioned("b", 2));
    List<String> input = values("a-", 1000);
    for (int i = 0; i < input.size(); i += 500) {
      List<PutRecordsEntry> batch = new ArrayList<>();
      input.subList(i, i + 500).forEach(v -> batch.add(PutRecordsEntry.of(keyOf(v), v)));
      assertThat(client.putRecords("a", batch).failedRecordCount()).isZero();
    }

    Pipeline copy = directPipeline();
    copy.apply(StreamIO.read().withStream("a").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon()).withMaxNumRecords(1000))
        .apply(StreamIO.writeRecords().withStream("b").withEndpoint(store.endpoint()).withAggregation(true));
    copy.run().waitUntilFinish();

    List<Record> raw = new ArrayList<>();
    rawRecords(client, "b").values().forEach(raw::addAll);
    assertThat(raw).isNotEmpty().hasSizeLessThan(1000)
        .allSatisfy(r -> assertThat(AggregatedRecords.isAggregated(r.data())).isTrue());

    Pipeline check = directPipeline();
    PCollection<String> read = check
        .apply(StreamIO.read().withStream("b").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon()).withMaxNumRecords(1000))
        .apply(MapElements.into(TypeDescriptors.strings()).via(r -> r.partitionKey() + "=" + r.dataAsString()));
    List<String> expected = new ArrayList<>();
    input.forEach(v -> expected.add(keyOf(v) + "=" + v));
    PAssert.that(read).containsInAnyOrder(expected);
    check.run().waitUntilFinish();
  }

  @Test
  void succeedsThroughRetriesWhenTheStoreThrottles() throws Exception {
    StreamClient client = store.open(StoreConfig.builder(dir).setThrottling(ThrottlingMode.AWS).build());
    client.createStream(CreateStreamRequest.provisioned("slow", 1));
    List<String> expected = values("s-", 2500);

    // One shard takes 1,000 records a second; one bundle of 2,500 is refused in part and retried.
    Pipeline pipeline = directPipeline();
    oneBundle(pipeline, expected)
        .apply(strings("slow", store.endpoint()).withRetries(20, Duration.millis(50), Duration.millis(500)));
    pipeline.run().waitUntilFinish();

    assertThat(client.metrics("slow").shards().get("shardId-000000000000").writeProvisionedThroughputExceeded())
        .isPositive();
    assertThat(dataOf(rawRecords(client, "slow"))).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void failsThePipelineNamingTheStreamWhenRecordsCannotBeWritten() {
    store.open(dir);
    Pipeline pipeline = directPipeline();
    oneBundle(pipeline, values("x-", 10)).apply(strings("no-such-stream", store.endpoint()));
    assertThatThrownBy(() -> pipeline.run().waitUntilFinish())
        .hasStackTraceContaining("Failed to write to stream no-such-stream")
        .hasStackTraceContaining("ResourceNotFound");
  }

  @Test
  void writesAndReadsThroughTheServer() throws Exception {
    StreamClient client = store.open(dir);
    client.createStream(CreateStreamRequest.provisioned("remote", 2));
    List<String> expected = values("r-", 1000);
    try (KinesisServer server = KinesisServer.start(
        ServerConfig.builder().setPort(0).setWorkerThreads(4).build(), client)) {
      Pipeline write = directPipeline();
      write.apply(Create.of(expected)).apply(strings("remote", server.endpoint()));
      write.run().waitUntilFinish();

      Pipeline read = directPipeline();
      PCollection<String> values = read
          .apply(StreamIO.read().withStream("remote").withEndpoint(server.endpoint())
              .withStartingPosition(StartingPosition.trimHorizon()).withMaxNumRecords(1000))
          .apply(MapElements.into(TypeDescriptors.strings()).via(StreamRecord::dataAsString));
      PAssert.that(values).containsInAnyOrder(expected);
      read.run().waitUntilFinish();
    }
    assertThat(dataOf(rawRecords(client, "remote"))).containsExactlyInAnyOrderElementsOf(expected);
  }

  /** Puts {@code values} into {@code stream}, keyed by {@link #keyOf}. */
  private static void putValues(StreamClient client, String stream, List<String> values) {
    for (int i = 0; i < values.size(); i += 500) {
      List<PutRecordsEntry> batch = new ArrayList<>();
      values.subList(i, Math.min(values.size(), i + 500)).forEach(v -> batch.add(PutRecordsEntry.of(keyOf(v), v)));
      assertThat(client.putRecords(stream, batch).failedRecordCount()).isZero();
    }
  }

  /** Reads all of {@code from} (bounded) and copies it to {@code to} through {@code endpoint}. */
  private void copy(String from, int count, StreamIO.Write<StreamRecord> write) {
    Pipeline pipeline = directPipeline();
    pipeline
        .apply(StreamIO.read().withStream(from).withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon()).withMaxNumRecords(count))
        .apply(write);
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aCopyWithIdsFromTheSourceWrittenTwiceHoldsEachRecordOnceAndAPlainCopyTwice() throws Exception {
    StreamClient client = store.open(dir);
    client.createStream(CreateStreamRequest.provisioned("a", 4));
    client.createStream(CreateStreamRequest.provisioned("exact", 2));
    client.createStream(CreateStreamRequest.provisioned("plain", 2));
    List<String> input = values("a-", 3000);
    putValues(client, "a", input);

    // The whole input written twice: what a restart from the very start would do.
    for (int run = 0; run < 2; run++) {
      copy("a", input.size(), StreamIO.writeRecords().withStream("exact").withEndpoint(store.endpoint())
          .withIdempotentIds(WriteId::fromSource));
      copy("a", input.size(), StreamIO.writeRecords().withStream("plain").withEndpoint(store.endpoint()));
    }

    assertThat(dataOf(rawRecords(client, "exact"))).hasSize(input.size()).containsExactlyInAnyOrderElementsOf(input);
    List<String> twice = new ArrayList<>(input);
    twice.addAll(input);
    assertThat(dataOf(rawRecords(client, "plain"))).containsExactlyInAnyOrderElementsOf(twice);
  }

  @Test
  void idempotentWritesThroughTheServerStoreEachRecordOnce() throws Exception {
    StreamClient client = store.open(dir);
    client.createStream(CreateStreamRequest.provisioned("a", 2));
    client.createStream(CreateStreamRequest.provisioned("remote", 2));
    List<String> input = values("r-", 1000);
    putValues(client, "a", input);
    try (KinesisServer server = KinesisServer.start(
        ServerConfig.builder().setPort(0).setWorkerThreads(4).build(), client)) {
      for (int run = 0; run < 2; run++) {
        copy("a", input.size(), StreamIO.writeRecords().withStream("remote").withEndpoint(server.endpoint())
            .withIdempotentIds(r -> WriteId.fromSource(r).withProducerPrefix("copy-job/")));
      }
    }
    assertThat(dataOf(rawRecords(client, "remote"))).hasSize(input.size()).containsExactlyInAnyOrderElementsOf(input);
  }

  @Test
  void checksEachSettingAndTheirCombination() {
    assertThatThrownBy(() -> StreamIO.<String>write().withMaxBatchRecords(501))
        .hasMessage("maxBatchRecords must be between 1 and 500, but was: 501");
    assertThatThrownBy(() -> StreamIO.<String>write().withMaxBatchBytes(6L << 20))
        .hasMessage("maxBatchBytes must be between 1 and 5242880, but was: 6291456");
    assertThatThrownBy(() -> StreamIO.<String>write().withRetries(0, Duration.millis(1), Duration.millis(2)))
        .hasMessage("maxAttempts must be between 1 and 100, but was: 0");
    assertThatThrownBy(() -> StreamIO.<String>write().withRetries(3, Duration.millis(100), Duration.millis(10)))
        .hasMessageContaining("maxBackoff must be between the initialBackoff");
    assertThatThrownBy(() -> StreamIO.<String>write().withStream("bad name"))
        .hasMessageContaining("but was: bad name");

    // Building a write checks its settings without opening the store.
    URI unopened = StreamClients.endpointOf(dir);
    Pipeline pipeline = directPipeline();
    PCollection<String> input = pipeline.apply(Create.of("x"));
    StreamIO.Write<String> noKey = StreamIO.<String>write().withStream("s").withEndpoint(unopened)
        .withSerializer(s -> s.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> input.apply(noKey)).hasMessageContaining("withPartitionKey");
    assertThatThrownBy(() -> input.apply(strings("s", unopened).withMaxBatchRecords(100).withMaxInFlightRecords(10)))
        .hasMessage("maxInFlightRecords must be at least maxBatchRecords (100), but was: 10");

    StreamIO.Write<String> hashed = StreamIO.<String>write().withStream("s").withEndpoint(unopened)
        .withExplicitHashKey(s -> s).withSerializer(s -> s.getBytes(StandardCharsets.UTF_8));
    assertThat(hashed.toEntry("42").partitionKey()).isEqualTo("42");
    assertThatThrownBy(() -> hashed.toEntry("-1")).hasMessageContaining("but was: -1");

    assertThatThrownBy(() -> input.apply(strings("s", unopened).withAggregation(true)
            .withIdempotentIds(v -> WriteId.of("p", java.math.BigInteger.ONE))))
        .hasMessageContaining("cannot combine withIdempotentIds with withAggregation(true)");
    PutRecordsEntry idempotent = strings("s", unopened)
        .withIdempotentIds(v -> WriteId.of("producer-" + v, java.math.BigInteger.TEN)).toEntry("v-3");
    assertThat(idempotent.producerId()).isEqualTo("producer-v-3");
    assertThat(idempotent.producerSequence()).isEqualTo(java.math.BigInteger.TEN);
    assertThat(strings("s", unopened).toEntry("v-3").isIdempotent()).isFalse();
  }
}
