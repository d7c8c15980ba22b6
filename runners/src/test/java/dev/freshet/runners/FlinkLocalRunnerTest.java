package dev.freshet.runners;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** `--runner=flink --flinkMaster=[local]` really runs pipelines, bounded and unbounded. */
class FlinkLocalRunnerTest {

  private static FreshetPipelineOptions flinkLocal() {
    return Runners.configure("--runner=flink", "--flinkMaster=[local]", "--parallelism=2");
  }

  @Test
  void aBoundedPipelineRunsInBatchMode() {
    FreshetPipelineOptions options = flinkLocal();
    Pipeline pipeline = Pipeline.create(options);
    PCollection<KV<String, Long>> counts =
        pipeline.apply(Create.of("a", "b", "a", "c", "a")).apply(Count.perElement());
    PAssert.that(counts).containsInAnyOrder(KV.of("a", 3L), KV.of("b", 1L), KV.of("c", 1L));

    PipelineResult result = pipeline.run();

    assertThat(result.waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);
    assertThat(passedAssertions(result)).isEqualTo(1);
    assertThat(options.isStreaming()).isFalse();
  }

  @Test
  void anUnboundedPipelineSwitchesFlinkToStreamingMode() {
    FreshetPipelineOptions options = flinkLocal();
    Pipeline pipeline = Pipeline.create(options);
    Instant start = new Instant(0);
    TestStream<String> events =
        TestStream.create(StringUtf8Coder.of())
            .addElements(
                TimestampedValue.of("a", start.plus(Duration.standardSeconds(1))),
                TimestampedValue.of("a", start.plus(Duration.standardSeconds(2))),
                TimestampedValue.of("b", start.plus(Duration.standardSeconds(12))))
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Long>> counts =
        pipeline
            .apply(events)
            .apply(Window.into(FixedWindows.of(Duration.standardSeconds(10))))
            .apply(Count.perElement());
    PAssert.that(counts)
        .inWindow(new IntervalWindow(start, Duration.standardSeconds(10)))
        .containsInAnyOrder(KV.of("a", 2L));
    PAssert.that(counts)
        .inWindow(new IntervalWindow(start.plus(Duration.standardSeconds(10)), Duration.standardSeconds(10)))
        .containsInAnyOrder(KV.of("b", 1L));

    PipelineResult result = pipeline.run();

    assertThat(result.waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);
    assertThat(passedAssertions(result)).isEqualTo(2);
    assertThat(options.isStreaming()).isTrue();
  }

  /** PAssert counts its successes; zero would mean the assertion never ran. */
  private static long passedAssertions(PipelineResult result) {
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(PAssert.class, PAssert.SUCCESS_COUNTER))
                    .build());
    long total = 0;
    for (MetricResult<Long> counter : metrics.getCounters()) {
      total += counter.getAttempted();
    }
    return total;
  }
}
