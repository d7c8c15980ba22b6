package dev.freshet.sdk.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unbounded {@code StreamIO.read()} on the Direct runner, which reads batches of records and
 * expands them inside the transform: records come out once each, at their own timestamps, into the
 * right windows; on Flink the read stays one record per element.
 */
class StreamIODirectBatchingTest {
  private static final long BASE_MILLIS = 1_700_000_000_000L;

  @TempDir Path dir;
  @RegisterExtension final StoreFixture store = new StoreFixture();

  /** {@code e-<i>} happened at the base plus 10 ms per record: 1,000 records span 10 s. */
  static Instant eventTimeOf(StreamRecord record) {
    return new Instant(BASE_MILLIS + Long.parseLong(record.dataAsString().substring(2)) * 10);
  }

  private StreamIO.Read read(String stream) {
    return StreamIO.read().withStream(stream).withEndpoint(store.endpoint())
        .withStartingPosition(StartingPosition.trimHorizon())
        .withWatermarkPolicy(WatermarkPolicy.eventTime(StreamIODirectBatchingTest::eventTimeOf));
  }

  /** Each record as {@code data@timestamp}, the timestamp being the element's in the pipeline. */
  static final class WithTimestamp extends DoFn<StreamRecord, String> {
    @ProcessElement
    public void process(@Element StreamRecord record, @Timestamp Instant timestamp, OutputReceiver<String> out) {
      out.output(record.dataAsString() + "@" + timestamp.getMillis());
    }
  }

  @Test
  void everyRecordComesOutOnceAtItsOwnTimestampAndLandsInItsWindow() {
    StreamClient client = store.open(dir);
    client.createStream(CreateStreamRequest.provisioned("events", 3));
    List<String> expected = new ArrayList<>();
    for (int from = 0; from < 3000; from += 500) {
      List<PutRecordsEntry> entries = new ArrayList<>();
      for (int i = from; i < from + 500; i++) {
        entries.add(PutRecordsEntry.of("key-" + i, ("e-" + i).getBytes(StandardCharsets.UTF_8)));
        expected.add("e-" + i + "@" + (BASE_MILLIS + i * 10L));
      }
      assertThat(client.putRecords("events", entries).failedRecordCount()).isZero();
    }

    Pipeline pipeline = StreamIOTesting.directPipeline();
    PCollection<StreamRecord> records = pipeline.apply(read("events").withStopReadingAt(Instant.now()));
    PAssert.that(records.apply(ParDo.of(new WithTimestamp()))).containsInAnyOrder(expected);
    // 3,000 records 10 ms apart from a base on a 10 s boundary: 3 windows of 1,000 records each.
    PCollection<KV<String, Long>> perWindow = records
        .apply(Window.into(FixedWindows.of(Duration.standardSeconds(10))))
        .apply(MapElements.into(TypeDescriptors.strings()).via(StreamRecord::streamName))
        .apply(Count.perElement());
    PAssert.that(perWindow).containsInAnyOrder(KV.of("events", 1000L), KV.of("events", 1000L), KV.of("events", 1000L));
    assertThat(pipeline.run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);
  }

  @Test
  void theDirectRunnerReadsBatchesAndFlinkReadsRecords() {
    store.open(dir).createStream(CreateStreamRequest.provisioned("shape", 1));
    assertThat(expandsBatches(StreamIOTesting.directPipeline())).isTrue();
    assertThat(expandsBatches(StreamIOTesting.flinkPipeline())).isFalse();
    // A count-bounded read is Beam's bounded wrapper on every runner.
    Pipeline bounded = StreamIOTesting.directPipeline();
    bounded.apply(read("shape").withMaxNumRecords(10));
    assertThat(has(bounded, "ExpandBatches")).isFalse();
  }

  private boolean expandsBatches(Pipeline pipeline) {
    pipeline.apply(read("shape"));
    return has(pipeline, "ExpandBatches");
  }

  private static boolean has(Pipeline pipeline, String name) {
    AtomicBoolean found = new AtomicBoolean();
    pipeline.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
        found.compareAndSet(false, node.getFullName().endsWith("/" + name));
        return CompositeBehavior.ENTER_TRANSFORM;
      }

      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        found.compareAndSet(false, node.getFullName().endsWith("/" + name));
      }
    });
    return found.get();
  }
}
