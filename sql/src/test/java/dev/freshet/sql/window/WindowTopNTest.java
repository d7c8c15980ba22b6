package dev.freshet.sql.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sql.FreshetSql;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Top-N per window on an unbounded stream ({@link TestStream} on the Direct runner), through
 * {@link FreshetSql#transform}: Flink's Window Top-N pattern, {@code ROW_NUMBER() OVER (PARTITION BY
 * window_start ORDER BY views DESC) <= N} over a TUMBLE aggregate, with known rows and ties.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WindowTopNTest {
  static final Instant BASE = Instant.parse("2026-01-01T10:00:00Z");
  static final Schema CLICKS = Schema.builder().addStringField("page").addDateTimeField("ts").build();

  @TempDir static Path dir;
  static FreshetSql sql;

  @BeforeAll
  static void open() {
    sql = FreshetSql.open(dir);
  }

  /**
   * Minute 0: /a 3, /b 2, /c 2, /d 1 (a tie for second place); minute 1: /b 3, /a 1; minute 2: /e 1.
   * Elements arrive out of order within a minute and the watermark moves between minutes, as on a
   * live stream.
   */
  static PCollection<Row> clicks(Pipeline pipeline) {
    Object[][] clicks = {
        {"/c", 6}, {"/a", 1}, {"/b", 4}, {"/a", 2}, {"/d", 50}, {"/c", 7}, {"/a", 3}, {"/b", 5},
        null,
        {"/b", 61}, {"/a", 70}, {"/b", 62}, {"/b", 63},
        null,
        {"/e", 130},
    };
    TestStream.Builder<Row> stream = TestStream.create(CLICKS);
    int minute = 0;
    for (Object[] click : clicks) {
      if (click == null) {
        minute++;
        stream = stream.advanceWatermarkTo(BASE.plus(minute * 60_000L));
        continue;
      }
      Instant at = BASE.plus((Integer) click[1] * 1000L);
      stream = stream.addElements(TimestampedValue.of(Row.withSchema(CLICKS).addValues(click[0], at).build(), at));
    }
    return pipeline.apply(stream.advanceWatermarkToInfinity());
  }

  static final String VIEWS_PER_MINUTE = "SELECT page, TUMBLE_START(ts, INTERVAL '1' MINUTE) AS window_start, "
      + "COUNT(*) AS views FROM PCOLLECTION GROUP BY page, TUMBLE(ts, INTERVAL '1' MINUTE)";

  static PCollection<String> lines(PCollection<Row> rows) {
    return rows.apply(MapElements.into(TypeDescriptors.strings()).via(row -> {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < row.getFieldCount(); i++) {
        Object value = row.getValue(i);
        out.append(i > 0 ? "|" : "").append(value instanceof org.joda.time.ReadableInstant
            ? ((org.joda.time.ReadableInstant) value).toInstant().toString().substring(11, 16) : value);
      }
      return out.toString();
    }));
  }

  static Pipeline pipeline() {
    return Pipeline.create(PipelineOptionsFactory.create());
  }

  @Test
  void topTwoPagesPerMinuteWithRowNumber() {
    Pipeline pipeline = pipeline();
    PCollection<Row> top = clicks(pipeline).apply(sql.transform(
        "SELECT window_start, page, views, rn FROM ("
            + "SELECT page, window_start, views, "
            + "ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY views DESC) AS rn FROM (" + VIEWS_PER_MINUTE + ")) "
            + "WHERE rn <= 2"));
    // /b and /c tie on 2 views in minute 0: ROW_NUMBER breaks the tie by the other columns in
    // ascending order (page, window_start), so /b is second and /c is left out.
    PAssert.that(lines(top)).containsInAnyOrder(
        "10:00|/a|3|1", "10:00|/b|2|2",
        "10:01|/b|3|1", "10:01|/a|1|2",
        "10:02|/e|1|1");
    assertThat(pipeline.run().waitUntilFinish()).isEqualTo(org.apache.beam.sdk.PipelineResult.State.DONE);
  }

  @Test
  void rankKeepsTiesAndDenseRankCountsDistinctValues() {
    Pipeline pipeline = pipeline();
    PCollection<Row> top = clicks(pipeline).apply(sql.transform(
        "SELECT window_start, page, views, rk, drk FROM ("
            + "SELECT page, window_start, views, "
            + "RANK() OVER (PARTITION BY window_start ORDER BY views DESC) AS rk, "
            + "DENSE_RANK() OVER (PARTITION BY window_start ORDER BY views DESC) AS drk "
            + "FROM (" + VIEWS_PER_MINUTE + ")) WHERE rk <= 2"));
    // Both /b and /c are second in minute 0; /d (rank 4, dense rank 3) is not in the top 2.
    PAssert.that(lines(top)).containsInAnyOrder(
        "10:00|/a|3|1|1", "10:00|/b|2|2|2", "10:00|/c|2|2|2",
        "10:01|/b|3|1|1", "10:01|/a|1|2|2",
        "10:02|/e|1|1|1");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void topOnePerWindowOfAHopAggregate() {
    Pipeline pipeline = pipeline();
    PCollection<Row> top = clicks(pipeline).apply(sql.transform(
        "SELECT window_start, page, views FROM ("
            + "SELECT page, window_start, views, ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY views DESC, page) AS rn "
            + "FROM (SELECT page, HOP_START(ts, INTERVAL '1' MINUTE, INTERVAL '2' MINUTE) AS window_start, COUNT(*) AS views "
            + "FROM PCOLLECTION GROUP BY page, HOP(ts, INTERVAL '1' MINUTE, INTERVAL '2' MINUTE))) WHERE rn = 1"));
    // [09:59, 10:01): /a 3; [10:00, 10:02): /a 4 and /b 5; [10:01, 10:03): /b 3; [10:02, 10:04): /e 1.
    PAssert.that(lines(top)).containsInAnyOrder("09:59|/a|3", "10:00|/b|5", "10:01|/b|3", "10:02|/e|1");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void numberingAnUnwindowedStreamIsRefusedWithAHint() {
    Pipeline pipeline = pipeline();
    PCollection<Row> clicks = clicks(pipeline);
    assertThatThrownBy(() -> clicks.apply(sql.transform(
            "SELECT page, ROW_NUMBER() OVER (PARTITION BY page ORDER BY ts) AS rn FROM PCOLLECTION")))
        .hasStackTraceContaining("over an unbounded table number the rows of each window")
        .hasStackTraceContaining("GROUP BY TUMBLE");
  }
}
