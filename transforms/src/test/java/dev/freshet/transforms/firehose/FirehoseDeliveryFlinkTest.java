package dev.freshet.transforms.firehose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.sdk.io.StoreFixture;
import dev.freshet.sdk.io.StreamIO;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery on Beam's Flink runner in this JVM ({@code [local]}, streaming, parallelism 2): bounded
 * input with dynamic partitioning and a transformer, and a stream read from the embedded store.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FirehoseDeliveryFlinkTest {
  @TempDir Path dir;
  @RegisterExtension final StoreFixture store = new StoreFixture();

  private static Pipeline flinkPipeline() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=FlinkRunner", "--flinkMaster=[local]",
        "--streaming=true", "--parallelism=2").withValidation().as(FlinkPipelineOptions.class));
  }

  private static void run(Pipeline pipeline) {
    assertThat(pipeline.run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);
  }

  @Test
  void partitionsTransformsAndCompressesOnFlink() {
    List<FirehoseRecord> records = new ArrayList<>(FirehoseDeliveryTest.jsonRecords(300, 3));
    Pipeline pipeline = flinkPipeline();
    pipeline.apply(Create.of(records)).apply(FirehoseDelivery.to(FirehoseDestination.localFiles(dir.resolve("out")))
        .withDeliveryStreamName("flink").withCompression(CompressionFormat.ZIP).withAppendDelimiter(true)
        .withRecordTransformer(new FirehoseDeliveryTest.ByNumber())
        .withPartitionKeyFromQuery("customer", ".CUSTOMER")
        .withPrefix("!{partitionKeyFromQuery:customer}/!{partitionKeyFromLambda:parity}/")
        .withErrorOutputPrefix("errors/!{firehose:error-output-type}/"));
    run(pipeline);

    TreeMap<String, byte[]> objects = Objects.read(dir.resolve("out"));
    List<String> delivered = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    objects.forEach((key, body) -> {
      assertThat(key).endsWith(".zip");
      List<String> lines = Objects.lines(new TreeMap<>(java.util.Map.of(key, body)));
      if (key.startsWith("errors/processing-failed/")) {
        failed.addAll(lines);
      } else {
        assertThat(key).matches("C[012]/(even|odd)/flink-1-.*");
        lines.forEach(line -> assertThat(line).contains("\"CUSTOMER\":\"" + key.substring(0, 2) + "\""));
        delivered.addAll(lines);
      }
    });
    List<String> expected = new ArrayList<>();
    for (int n = 0; n < 300; n++) {
      if (n % 10 != 7 && n % 10 != 9) {
        expected.add("{\"N\":" + n + ",\"CUSTOMER\":\"C" + (n % 3) + "\"}");
      }
    }
    assertThat(delivered).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(failed).hasSize(30);
  }

  @Test
  void deliversAStreamReadFromTheEmbeddedStoreOnFlink() {
    StreamClient client = store.open(dir.resolve("store"));
    client.createStream(CreateStreamRequest.provisioned("events", 2));
    List<String> expected = new ArrayList<>();
    List<PutRecordsEntry> batch = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      expected.add("{\"event\":" + i + "}");
      batch.add(PutRecordsEntry.of("k" + (i % 7), expected.get(i).getBytes(StandardCharsets.UTF_8)));
      if (batch.size() == 500) {
        assertThat(client.putRecords("events", batch).failedRecordCount()).isZero();
        batch.clear();
      }
    }
    Pipeline pipeline = flinkPipeline();
    pipeline.apply(StreamIO.read().withStream("events").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon()).withMaxNumRecords(1000))
        .apply(FirehoseDelivery.to(FirehoseDestination.localFiles(dir.resolve("out")))
            .withDeliveryStreamName("events").withCompression(CompressionFormat.HADOOP_SNAPPY)
            .withAppendDelimiter(true).forStreamRecords());
    run(pipeline);
    TreeMap<String, byte[]> objects = Objects.read(dir.resolve("out"));
    assertThat(objects.keySet()).allMatch(key -> key.matches("\\d{4}/\\d\\d/\\d\\d/\\d\\d/events-1-.*\\.hsnappy"));
    assertThat(Objects.lines(objects)).containsExactlyInAnyOrderElementsOf(expected);
  }
}
