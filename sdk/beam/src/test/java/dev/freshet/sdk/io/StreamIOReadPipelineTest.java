package dev.freshet.sdk.io;

import static dev.freshet.sdk.io.StreamIOTesting.directPipeline;
import static dev.freshet.sdk.io.StreamIOTesting.putAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.kinesis.store.ThrottlingMode;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** StreamIO.read() in real pipelines on the Direct runner, against the embedded store. */
class StreamIOReadPipelineTest {
  @TempDir Path dir;
  @RegisterExtension final StoreFixture store = new StoreFixture();

  @Test
  void readsEveryRecordOnceOnTheDirectRunner() {
    StreamClient client = store.open(dir);
    client.createStream(CreateStreamRequest.provisioned("clicks", 4));
    List<String> expected = putAll(client, "clicks", 5000, "click-");

    Pipeline pipeline = directPipeline();
    PCollection<String> values = pipeline
        .apply(StreamIO.read().withStream("clicks").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon()).withMaxNumRecords(5000))
        .apply(MapElements.into(TypeDescriptors.strings()).via(StreamRecord::dataAsString));
    PAssert.that(values).containsInAnyOrder(expected);
    pipeline.run().waitUntilFinish();
  }

  @Test
  void readsThroughEnhancedFanOut() {
    StreamClient client = store.open(dir);
    client.createStream(CreateStreamRequest.provisioned("pushed", 2));
    List<String> expected = putAll(client, "pushed", 1000, "p-");

    Pipeline pipeline = directPipeline();
    PCollection<String> values = pipeline
        .apply(StreamIO.read().withStream("pushed").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon()).withConsumer("beam-app")
            .withMaxNumRecords(1000))
        .apply(MapElements.into(TypeDescriptors.strings()).via(StreamRecord::dataAsString));
    PAssert.that(values).containsInAnyOrder(expected);
    pipeline.run().waitUntilFinish();
    assertThat(client.listStreamConsumers("pushed")).extracting(c -> c.consumerName()).containsExactly("beam-app");
  }

  @Test
  void readsAcrossASplitAndAMergeWhileRunningWithNothingLostOrRepeated() throws Exception {
    StreamClient client = store.open(dir);
    client.createStream(CreateStreamRequest.provisioned("resharded", 2));
    List<String> expected = new ArrayList<>(putAll(client, "resharded", 2000, "a-"));
    List<String> later = new ArrayList<>();
    for (String prefix : List.of("b-", "c-")) {
      for (int i = 0; i < 1000; i++) {
        later.add(prefix + i);
      }
    }
    expected.addAll(later);

    org.apache.beam.runners.direct.DirectOptions options =
        PipelineOptionsFactory.fromArgs("--targetParallelism=4").as(org.apache.beam.runners.direct.DirectOptions.class);
    options.setBlockOnRun(false);
    Pipeline pipeline = Pipeline.create(options);
    PCollection<String> values = pipeline
        .apply(StreamIO.read().withStream("resharded").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon()).withMaxNumRecords(4000))
        .apply(MapElements.into(TypeDescriptors.strings()).via(StreamRecord::dataAsString));
    PAssert.that(values).containsInAnyOrder(expected);
    org.apache.beam.sdk.PipelineResult result = pipeline.run();
    // Reshard while the pipeline reads: a split, writes, a merge of the split's children, writes.
    client.splitShard("resharded", "shardId-000000000000", BigInteger.ONE.shiftLeft(126));
    putAll(client, "resharded", 1000, "b-");
    client.mergeShards("resharded", "shardId-000000000002", "shardId-000000000003");
    putAll(client, "resharded", 1000, "c-");
    result.waitUntilFinish();
    assertThat(result.getState()).isEqualTo(org.apache.beam.sdk.PipelineResult.State.DONE);
  }

  @Test
  void keepsReadingAThrottledStore() {
    StreamClient client = store.open(StoreConfig.builder(dir).setThrottling(ThrottlingMode.AWS).build());
    client.createStream(CreateStreamRequest.provisioned("slow", 1));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      expected.add("s-" + i);
      client.putRecord("slow", PutRecordsEntry.of("k", ("s-" + i).getBytes(StandardCharsets.UTF_8)), null);
    }
    Pipeline pipeline = directPipeline();
    // 100 records per call and no pause between calls: the store refuses the 6th call in a second.
    PCollection<Long> count = pipeline
        .apply(StreamIO.read().withStream("slow").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon()).withRecordsPerRequest(10)
            .withPollInterval(org.joda.time.Duration.millis(1)).withMaxNumRecords(300))
        .apply(Count.globally());
    PAssert.thatSingleton(count).isEqualTo(300L);
    pipeline.run().waitUntilFinish();
    assertThat(client.metrics("slow").shards().get("shardId-000000000000").readProvisionedThroughputExceeded())
        .isPositive();
  }

  /**
   * A read by processing time that stops at a time ends like any other stop-time read: its
   * watermark reaches the end of time once every shard is past the stop time. It used to stay at the
   * clock, so the pipeline never finished. Bounded by JUnit's timeout: on the old code it hangs.
   */
  @Test
  @org.junit.jupiter.api.Timeout(value = 2, unit = java.util.concurrent.TimeUnit.MINUTES)
  void aProcessingTimeReadWithAStopTimeFinishes() {
    StreamClient client = store.open(dir);
    client.createStream(CreateStreamRequest.provisioned("clock", 2));
    for (int i = 0; i < 50; i++) {
      client.putRecord("clock", PutRecordsEntry.of("k" + i, ("c-" + i).getBytes(StandardCharsets.UTF_8)), null);
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      expected.add("c-" + i);
    }
    Pipeline pipeline = directPipeline();
    PCollection<String> values = pipeline
        .apply(StreamIO.read().withStream("clock").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon())
            .withWatermarkPolicy(WatermarkPolicy.processingTime())
            .withStopReadingAt(org.joda.time.Instant.now()))
        .apply(MapElements.into(TypeDescriptors.strings()).via(StreamRecord::dataAsString));
    PAssert.that(values).containsInAnyOrder(expected);
    assertThat(pipeline.run().waitUntilFinish()).isEqualTo(org.apache.beam.sdk.PipelineResult.State.DONE);
  }

  @Test
  void readRowsParsesJsonPayloads() {
    StreamClient client = store.open(dir);
    client.createStream(CreateStreamRequest.provisioned("json", 1));
    for (int i = 0; i < 10; i++) {
      client.putRecord("json", PutRecordsEntry.of("k",
          ("{\"page\":\"/p" + i + "\",\"views\":" + i + "}").getBytes(StandardCharsets.UTF_8)), null);
    }
    Schema schema = Schema.builder().addStringField("page").addInt64Field("views").build();
    Pipeline pipeline = directPipeline();
    PCollection<Row> rows = pipeline.apply(StreamIO.readRows(schema, RowFormat.JSON)
        .withRead(read -> read.withStream("json").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon()).withMaxNumRecords(10)));
    List<Row> expected = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      expected.add(Row.withSchema(schema).addValues("/p" + i, (long) i).build());
    }
    PAssert.that(rows).containsInAnyOrder(expected);
    pipeline.run().waitUntilFinish();
  }

  @Test
  void readsWhatIsWrittenWhileRunningFromATimestampUntilTheStopTime() throws Exception {
    StreamClient client = store.open(dir);
    client.createStream(CreateStreamRequest.provisioned("live", 4));
    java.time.Instant start = java.time.Instant.now();
    org.joda.time.Instant stopAt = new org.joda.time.Instant(start.toEpochMilli() + 4_000);
    org.apache.beam.runners.direct.DirectOptions options =
        PipelineOptionsFactory.fromArgs("--targetParallelism=4").as(org.apache.beam.runners.direct.DirectOptions.class);
    options.setBlockOnRun(false);
    Pipeline pipeline = Pipeline.create(options);
    PCollection<String> values = pipeline
        .apply(StreamIO.read().withStream("live").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.atTimestamp(start)).withStopReadingAt(stopAt))
        .apply(MapElements.into(TypeDescriptors.strings()).via(StreamRecord::dataAsString));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      expected.add("live-" + i);
    }
    PAssert.that(values).containsInAnyOrder(expected);
    org.apache.beam.sdk.PipelineResult result = pipeline.run();
    for (int i = 0; i < 3000; i += 100) {
      List<PutRecordsEntry> batch = new ArrayList<>();
      for (int j = i; j < i + 100; j++) {
        batch.add(PutRecordsEntry.of("key-" + j, ("live-" + j).getBytes(StandardCharsets.UTF_8)));
      }
      assertThat(client.putRecords("live", batch).failedRecordCount()).isZero();
      Thread.sleep(50);
    }
    assertThat(result.waitUntilFinish()).isEqualTo(org.apache.beam.sdk.PipelineResult.State.DONE);
  }
}
