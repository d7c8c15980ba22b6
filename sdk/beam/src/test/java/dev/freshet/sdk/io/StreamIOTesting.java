package dev.freshet.sdk.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;

/**
 * The set-up the StreamIO pipeline tests share, on the Direct runner and on Flink alike: records in
 * through the stream API, records out of a whole stream, and pipelines on either runner.
 */
final class StreamIOTesting {
  private StreamIOTesting() {}

  /** A pipeline on the Direct runner with 4 worker threads. */
  static Pipeline directPipeline() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs("--targetParallelism=4").create());
  }

  /**
   * A streaming pipeline on Beam's Flink runner in this JVM ({@code [local]}, parallelism 2), with
   * any further Flink runner options.
   */
  static Pipeline flinkPipeline(String... more) {
    String[] args = Stream.concat(
            Stream.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--streaming=true", "--parallelism=2"),
            Stream.of(more))
        .toArray(String[]::new);
    return Pipeline.create(PipelineOptionsFactory.fromArgs(args).withValidation().as(FlinkPipelineOptions.class));
  }

  /**
   * Runs a Flink pipeline to the end and checks {@link PAssert} the way {@code TestPipeline} does:
   * the job must finish DONE and its success counter must equal the number of assertions in the
   * pipeline, so an assertion that never ran fails the test too.
   */
  static void runOnFlinkAndVerify(Pipeline pipeline) {
    assertThat(pipeline.getOptions().getRunner()).isEqualTo(FlinkRunner.class);
    PipelineResult result = pipeline.run();
    assertThat(result.waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);
    int expected = PAssert.countAsserts(pipeline);
    long succeeded = 0;
    for (MetricResult<Long> counter : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(PAssert.class, PAssert.SUCCESS_COUNTER)).build()).getCounters()) {
      succeeded += counter.getAttempted();
    }
    assertThat(succeeded).as("PAsserts that succeeded").isEqualTo(expected);
  }

  /** {@code prefix0 … prefix(count-1)}. */
  static List<String> values(String prefix, int count) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(prefix + i);
    }
    return out;
  }

  /**
   * Puts {@code count} records {@code prefix0 …} under 97 partition keys, in batches of 500, and
   * returns their data as strings.
   */
  static List<String> putAll(StreamClient client, String stream, int count, String prefix) {
    List<String> expected = values(prefix, count);
    List<PutRecordsEntry> batch = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      batch.add(PutRecordsEntry.of("key-" + (i % 97), expected.get(i).getBytes(StandardCharsets.UTF_8)));
      if (batch.size() == 500 || i == count - 1) {
        assertThat(client.putRecords(stream, batch).failedRecordCount()).isZero();
        batch.clear();
      }
    }
    return expected;
  }

  /** Every record's data in the stream as a string, read with the stream API shard by shard. */
  static List<String> dataOf(StreamClient client, String stream) {
    List<String> out = new ArrayList<>();
    for (Shard shard : client.listShards(ListShardsRequest.of(stream)).shards()) {
      String iterator = client.getShardIterator(stream, shard.shardId(), StartingPosition.trimHorizon());
      while (iterator != null) {
        GetRecordsResult result = client.getRecords(iterator, 10_000);
        for (Record record : result.records()) {
          out.add(new String(record.data(), StandardCharsets.UTF_8));
        }
        if (result.records().isEmpty() && result.millisBehindLatest() == 0) {
          break;
        }
        iterator = result.nextShardIterator();
      }
    }
    return out;
  }
}
