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
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link CumulativeWindows} on its own, and {@code GROUP BY CUMULATE(...)} in SQL over an unbounded stream. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CumulateWindowsTest {
  static final Instant BASE = Instant.parse("2026-01-01T10:00:00Z");

  @TempDir static Path dir;
  static FreshetSql sql;

  @BeforeAll
  static void open() {
    sql = FreshetSql.open(dir);
  }

  static Instant at(int seconds) {
    return BASE.plus(seconds * 1000L);
  }

  @Test
  void anElementIsInEveryWindowOfItsPeriodThatEndsAfterIt() {
    CumulativeWindows windows = CumulativeWindows.of(Duration.standardMinutes(1), Duration.standardMinutes(3));
    assertThat(windows.windowsOf(at(150)).toString()).isEqualTo(
        "[[2026-01-01T10:00:00.000Z..2026-01-01T10:03:00.000Z)]");
    assertThat(windows.windowsOf(at(0))).hasSize(3).allSatisfy(w -> assertThat(w.start()).isEqualTo(at(0)));
    assertThat(windows.windowsOf(at(59))).extracting(w -> w.end()).containsExactly(at(60), at(120), at(180));
    assertThat(windows.windowsOf(at(60))).extracting(w -> w.end()).containsExactly(at(120), at(180));
    // The next period starts at 10:03.
    assertThat(windows.windowsOf(at(181))).extracting(w -> w.start()).containsOnly(at(180));
    // Before the epoch too.
    assertThat(CumulativeWindows.of(Duration.millis(2), Duration.millis(4)).windowsOf(new Instant(-3)))
        .extracting(w -> w.start().getMillis() + ".." + w.end().getMillis()).containsExactly("-4..-2", "-4..0");
    assertThat(windows.withOffset(Duration.standardSeconds(30)).windowsOf(at(20)))
        .extracting(w -> w.start()).containsOnly(at(-150));
  }

  @Test
  void badSizesAreRefusedNamingTheValue() {
    assertThatThrownBy(() -> CumulativeWindows.of(Duration.ZERO, Duration.standardMinutes(1)))
        .hasMessageContaining("step must be positive");
    assertThatThrownBy(() -> CumulativeWindows.of(Duration.standardMinutes(2), Duration.standardMinutes(1)))
        .hasMessageContaining("max size must be at least the step");
    assertThatThrownBy(() -> CumulativeWindows.of(Duration.standardMinutes(2), Duration.standardMinutes(5)))
        .hasMessageContaining("whole multiple of the step").hasMessageContaining("PT300S");
    assertThat(CumulativeWindows.of(Duration.standardMinutes(1), Duration.standardMinutes(5)))
        .isEqualTo(CumulativeWindows.of(Duration.standardMinutes(1), Duration.standardMinutes(5)))
        .isNotEqualTo(CumulativeWindows.of(Duration.standardMinutes(1), Duration.standardMinutes(4)));
  }

  static final Schema SALES = Schema.builder().addStringField("shop").addInt64Field("amount").addDateTimeField("ts").build();

  @Test
  void runningTotalsPerShopWithGroupByCumulate() {
    Object[][] sales = {{"s1", 10, 5}, {"s2", 7, 20}, {"s1", 20, 70}, {"s1", 5, 130}, {"s2", 1, 175}, {"s1", 100, 200}};
    TestStream.Builder<Row> stream = TestStream.create(SALES);
    for (Object[] sale : sales) {
      Instant ts = at((Integer) sale[2]);
      stream = stream.addElements(TimestampedValue.of(
          Row.withSchema(SALES).addValues(sale[0], ((Integer) sale[1]).longValue(), ts).build(), ts))
          .advanceWatermarkTo(ts);
    }
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Row> totals = pipeline.apply(stream.advanceWatermarkToInfinity()).apply(sql.transform(
        "SELECT shop, CUMULATE(ts, INTERVAL '1' MINUTE, INTERVAL '3' MINUTE) AS window_end, "
            + "SUM(amount) AS total, COUNT(*) AS sales FROM PCOLLECTION "
            + "GROUP BY shop, CUMULATE(ts, INTERVAL '1' MINUTE, INTERVAL '3' MINUTE)"));
    // Periods of 3 minutes from 10:00, windows ending 1, 2 and 3 minutes into each; a window without
    // a sale of the shop has no row (as in Flink). The sale at 10:03:20 starts the next period.
    PAssert.that(WindowTopNTest.lines(totals)).containsInAnyOrder(
        "s1|10:01|10|1", "s1|10:02|30|2", "s1|10:03|35|3",
        "s2|10:01|7|1", "s2|10:02|7|1", "s2|10:03|8|2",
        "s1|10:04|100|1", "s1|10:05|100|1", "s1|10:06|100|1");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void cumulateOutsideGroupByIsRefused() {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Row> input = pipeline.apply(TestStream.create(SALES).advanceWatermarkToInfinity());
    assertThatThrownBy(() -> input.apply(sql.transform(
            "SELECT CUMULATE(ts, INTERVAL '1' MINUTE, INTERVAL '3' MINUTE) FROM PCOLLECTION")))
        .hasStackTraceContaining("use it in GROUP BY");
  }
}
