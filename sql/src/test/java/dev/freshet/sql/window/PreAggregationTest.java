package dev.freshet.sql.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.sql.FreshetSql;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.sql.SqlTransform;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PreAggregatedWindowRel}: windowed aggregates combined partly before the shuffle give the
 * rows Beam SQL's own plan gives (both are run on the same stream in the same pipeline and checked
 * against the same hand-computed rows): several keys and windows in one bundle, {@code NULL}s, data
 * that arrives after the watermark passed its window (dropped, per window, with Beam SQL's default
 * of on-time panes only), and {@code HOP} windows, where one row is late for one of its windows and
 * on time for the other; group keys of several columns, with NULLs. Inputs with allowed lateness
 * keep Beam's row-by-row plan.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PreAggregationTest {
  static final Instant BASE = Instant.parse("2026-01-01T10:00:00Z");
  static final Schema EVENTS = Schema.builder().addStringField("k").addNullableField("v", Schema.FieldType.INT64)
      .addDateTimeField("ts").build();

  static final String AGGREGATES = "COUNT(*) AS n, SUM(v) AS total, MIN(v) AS low, MAX(v) AS high, AVG(v) AS mean, "
      + "COUNT(v) AS valued FROM PCOLLECTION GROUP BY k, ";
  static final String TUMBLE = "SELECT k, TUMBLE_START(ts, INTERVAL '1' MINUTE) AS w, " + AGGREGATES
      + "TUMBLE(ts, INTERVAL '1' MINUTE)";
  static final String HOP = "SELECT k, HOP_START(ts, INTERVAL '1' MINUTE, INTERVAL '2' MINUTE) AS w, " + AGGREGATES
      + "HOP(ts, INTERVAL '1' MINUTE, INTERVAL '2' MINUTE)";

  @TempDir static Path dir;
  static FreshetSql sql;

  @BeforeAll
  static void open() {
    sql = FreshetSql.open(dir);
  }

  static Row event(String key, Long value, int second) {
    return Row.withSchema(EVENTS).addValues(key, value, BASE.plus(second * 1000L)).build();
  }

  static TimestampedValue<Row> at(Row row) {
    return TimestampedValue.of(row, row.getDateTime("ts").toInstant());
  }

  /**
   * One bundle with three keys over three windows (and a NULL value); the watermark passes 10:01:10;
   * then a row at 10:00:30 (late for [10:00, 10:01)) and an on-time one.
   */
  static TestStream<Row> stream() {
    return TestStream.create(EVENTS)
        .addElements(at(event("a", 1L, 10)), at(event("b", 2L, 20)), at(event("a", 3L, 50)),
            at(event("a", null, 65)), at(event("b", 4L, 90)), at(event("a", 5L, 130)), at(event("c", 6L, 59)))
        .advanceWatermarkTo(BASE.plus(70_000L))
        .addElements(at(event("a", 100L, 30)), at(event("b", 7L, 100)))
        .advanceWatermarkToInfinity();
  }

  @Test
  void tumbleGivesBeamsRowsWithManyWindowsPerBundleAndLateDataDropped() {
    Pipeline pipeline = Pipeline.create();
    PCollection<Row> input = pipeline.apply(stream());
    PCollection<Row> freshet = input.apply("Freshet", sql.transform(TUMBLE));
    PCollection<Row> beam = input.apply("Beam", SqlTransform.query(TUMBLE));
    // The late row (a, 100) is in no result; a's NULL counts in COUNT(*) only.
    String[] expected = {
        "a|10:00|2|4|1|3|2|2", "b|10:00|1|2|2|2|2|1", "c|10:00|1|6|6|6|6|1",
        "a|10:01|1|null|null|null|null|0", "b|10:01|2|11|4|7|5|2",
        "a|10:02|1|5|5|5|5|1"};
    PAssert.that(WindowTopNTest.lines(freshet)).containsInAnyOrder(expected);
    PAssert.that(WindowTopNTest.lines(beam)).containsInAnyOrder(expected);
    assertThat(transforms(pipeline)).anyMatch(name -> name.startsWith("Freshet/") && name.contains("/PreCombine"))
        .noneMatch(name -> name.startsWith("Beam/") && name.contains("/PreCombine"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void hopDropsARowOnlyForTheWindowItIsLateFor() {
    Pipeline pipeline = Pipeline.create();
    PCollection<Row> input = pipeline.apply(stream());
    PCollection<Row> freshet = input.apply("Freshet", sql.transform(HOP));
    PCollection<Row> beam = input.apply("Beam", SqlTransform.query(HOP));
    // (a, 100, 10:00:30) is late for [09:59, 10:01) but on time for [10:00, 10:02).
    String[] expected = {
        "a|09:59|2|4|1|3|2|2", "b|09:59|1|2|2|2|2|1", "c|09:59|1|6|6|6|6|1",
        "a|10:00|4|104|1|100|34|3", "b|10:00|3|13|2|7|4|3", "c|10:00|1|6|6|6|6|1",
        "a|10:01|2|5|5|5|5|1", "b|10:01|2|11|4|7|5|2",
        "a|10:02|1|5|5|5|5|1"};
    PAssert.that(WindowTopNTest.lines(freshet)).containsInAnyOrder(expected);
    PAssert.that(WindowTopNTest.lines(beam)).containsInAnyOrder(expected);
    assertThat(transforms(pipeline)).anyMatch(name -> name.startsWith("Freshet/") && name.contains("/PreCombine"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void allowedLatenessKeepsBeamsRowByRowPanes() {
    Pipeline pipeline = Pipeline.create();
    PCollection<Row> input = pipeline.apply(stream())
        .apply(Window.<Row>into(FixedWindows.of(Duration.standardMinutes(1)))
            .withAllowedLateness(Duration.standardMinutes(5)).discardingFiredPanes());
    PCollection<Row> freshet = input.apply("Freshet", sql.transform(TUMBLE));
    PCollection<Row> beam = input.apply("Beam", SqlTransform.query(TUMBLE));
    // The late row is kept and fires a late pane of its own (discarding mode).
    String[] expected = {
        "a|10:00|2|4|1|3|2|2", "b|10:00|1|2|2|2|2|1", "c|10:00|1|6|6|6|6|1", "a|10:00|1|100|100|100|100|1",
        "a|10:01|1|null|null|null|null|0", "b|10:01|2|11|4|7|5|2",
        "a|10:02|1|5|5|5|5|1"};
    PAssert.that(WindowTopNTest.lines(freshet)).containsInAnyOrder(expected);
    PAssert.that(WindowTopNTest.lines(beam)).containsInAnyOrder(expected);
    assertThat(transforms(pipeline)).anyMatch(name -> name.startsWith("Freshet/") && name.contains("/RowByRow"))
        .noneMatch(name -> name.contains("/PreCombine"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void severalKeyColumnsIncludingNullsGroupAsBeamGroupsThem() {
    Pipeline pipeline = Pipeline.create();
    PCollection<Row> input = pipeline.apply(TestStream.create(EVENTS)
        .addElements(at(event("a", 1L, 10)), at(event("a", 1L, 20)), at(event("a", 2L, 30)), at(event("b", 1L, 40)),
            at(event("a", null, 15)), at(event("a", null, 25)), at(event("a", 1L, 70)))
        .advanceWatermarkToInfinity());
    String query = "SELECT k, v, TUMBLE_START(ts, INTERVAL '1' MINUTE) AS w, COUNT(*) AS n FROM PCOLLECTION "
        + "GROUP BY k, v, TUMBLE(ts, INTERVAL '1' MINUTE)";
    PCollection<Row> freshet = input.apply("Freshet", sql.transform(query));
    PCollection<Row> beam = input.apply("Beam", SqlTransform.query(query));
    String[] expected = {"a|1|10:00|2", "a|2|10:00|1", "b|1|10:00|1", "a|null|10:00|2", "a|1|10:01|1"};
    PAssert.that(WindowTopNTest.lines(freshet)).containsInAnyOrder(expected);
    PAssert.that(WindowTopNTest.lines(beam)).containsInAnyOrder(expected);
    assertThat(transforms(pipeline)).anyMatch(name -> name.startsWith("Freshet/") && name.contains("/PreCombine"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void onlyCombinableFunctionsArePreAggregated() {
    Pipeline pipeline = Pipeline.create();
    PCollection<Row> input = pipeline.apply(stream());
    input.apply("Variance", sql.transform("SELECT k, VAR_POP(v) FROM PCOLLECTION GROUP BY k, "
        + "TUMBLE(ts, INTERVAL '1' MINUTE)"));
    input.apply("Session", sql.transform("SELECT k, COUNT(*) FROM PCOLLECTION GROUP BY k, "
        + "SESSION(ts, INTERVAL '1' MINUTE)"));
    assertThat(transforms(pipeline)).noneMatch(name -> name.contains("/PreCombine"));
  }

  static List<String> transforms(Pipeline pipeline) {
    List<String> names = new ArrayList<>();
    pipeline.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
        names.add(node.getFullName());
        return CompositeBehavior.ENTER_TRANSFORM;
      }

      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        names.add(node.getFullName());
      }
    });
    return names;
  }
}
