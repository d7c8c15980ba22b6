package dev.freshet.sql.bench;

import dev.freshet.sql.FreshetSql;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.sql.SqlTransform;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.SinkFunction;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.joda.time.Instant;

/**
 * The harness of {@code bench/sql.sh}: a tumbling-window {@code COUNT(*)} and {@code SUM} {@code
 * GROUP BY} key over generated events, on Flink {@code [local]} at the same parallelism, planned
 * either by Freshet SQL (Beam SQL with Freshet's planner, {@link FreshetSql#transform}, on Beam's
 * Flink runner) or by Flink's own SQL planner (flink-table 1.19, the baseline), or, to compare
 * plans, by Beam SQL's own planner ({@code beam}: {@code SqlTransform.query}, same runner and
 * options). One contender per JVM: {@code SqlBenchmark freshet|beam|flink <events> <parallelism>}.
 *
 * <p>Both read the same generator ({@link #key}, {@link #value}, {@link #eventTimeMillis}): event
 * {@code i} has key {@code i % 1000}, value {@code i % 100} and an event time that runs over ten
 * minutes, so ten one-minute windows of 1,000 keys each: 10,000 result rows, whose counts add up to
 * the number of events (checked). Throughput is events over the time from the first event
 * generated to the last result row (start-up left out for both); the wall time from submission is
 * printed too. Neither side writes its results anywhere: rows are counted and dropped.
 */
public final class SqlBenchmark {
  static final int KEYS = 1000;
  static final long BASE_MILLIS = Instant.parse("2026-01-01T00:00:00Z").getMillis();
  static final long SPAN_MILLIS = 10 * 60_000L;

  static final String QUERY = "SELECT k, TUMBLE_START(ts, INTERVAL '1' MINUTE) AS window_start, "
      + "COUNT(*) AS events, SUM(v) AS total FROM %s GROUP BY k, TUMBLE(ts, INTERVAL '1' MINUTE)";

  private static final LongAdder ROWS = new LongAdder();
  private static final LongAdder COUNTED = new LongAdder();
  private static final LongAccumulator FIRST_NANOS = new LongAccumulator(Math::min, Long.MAX_VALUE);
  private static final LongAccumulator LAST_NANOS = new LongAccumulator(Math::max, Long.MIN_VALUE);

  private SqlBenchmark() {}

  static long key(long i) {
    return i % KEYS;
  }

  static long value(long i) {
    return i % 100;
  }

  static long eventTimeMillis(long i, long events) {
    return BASE_MILLIS + (long) ((double) i * SPAN_MILLIS / events);
  }

  public static void main(String[] args) throws Exception {
    String contender = args[0];
    long events = Long.parseLong(args[1]);
    int parallelism = Integer.parseInt(args[2]);
    long start = System.nanoTime();
    switch (contender) {
      case "freshet":
        beam(events, parallelism, FreshetSql.open(Files.createTempDirectory("bench-sql")).transform(
            String.format(QUERY, "PCOLLECTION")));
        break;
      case "beam":
        beam(events, parallelism, SqlTransform.query(String.format(QUERY, "PCOLLECTION")));
        break;
      case "flink":
        flink(events, parallelism);
        break;
      default:
        throw new IllegalArgumentException("contender must be freshet, beam or flink, but was: " + contender);
    }
    long wall = System.nanoTime() - start;
    long active = LAST_NANOS.get() - FIRST_NANOS.get();
    if (ROWS.sum() != KEYS * (SPAN_MILLIS / 60_000L) || COUNTED.sum() != events) {
      throw new IllegalStateException(String.format("%s produced %d rows counting %d events; expected %d rows "
          + "counting %d", contender, ROWS.sum(), COUNTED.sum(), KEYS * (SPAN_MILLIS / 60_000L), events));
    }
    System.out.printf(Locale.ROOT, "%s events=%d rows=%d parallelism=%d active_s=%.2f wall_s=%.2f eps=%.0f%n",
        contender, events, ROWS.sum(), parallelism, active / 1e9, wall / 1e9, events / (active / 1e9));
  }

  /**
   * Beam options beyond the fixed ones, replaceable with {@code -Dbench.beamArgs=...}: bundles of up
   * to 100,000 elements (the Flink runner's streaming default is 1,000; a bundle still ends after
   * {@code maxBundleTimeMills}, 1 s), so that the pre-combine of a windowed aggregate sees many rows
   * per key, and object reuse between chained operators, as the Flink contender has.
   */
  static final String BEAM_ARGS = "--maxBundleSize=100000 --objectReuse=true";

  static final Schema EVENT = Schema.builder().addInt64Field("k").addInt64Field("v").addDateTimeField("ts").build();

  private static void beam(long events, int parallelism, SqlTransform query) {
    List<String> args = new ArrayList<>(List.of("--runner=FlinkRunner", "--flinkMaster=[local]",
        "--streaming=true", "--parallelism=" + parallelism, "--fasterCopy=true", "--disableMetrics=true",
        "--autoWatermarkInterval=200"));
    args.addAll(List.of(System.getProperty("bench.beamArgs", BEAM_ARGS).trim().split("\\s+")));
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create());
    PCollection<Row> rows = pipeline
        .apply("Generate", GenerateSequence.from(0).to(events))
        .apply("Events", ParDo.of(new EventFn(events)))
        .setRowSchema(EVENT);
    rows.apply(query).apply("Count", ParDo.of(new CountRowsFn()));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
  }

  private static void flink(long events, int parallelism) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism);
    env.getConfig().enableObjectReuse();
    env.getConfig().setAutoWatermarkInterval(200);
    StreamTableEnvironment tables = StreamTableEnvironment.create(env);
    DataStream<Event> stream = env.fromSequence(0, events - 1)
        .map(new ToEvent(events))
        .assignTimestampsAndWatermarks(WatermarkStrategy.<Event>forMonotonousTimestamps()
            .withTimestampAssigner((event, previous) -> event.ts));
    Table table = tables.fromDataStream(stream, org.apache.flink.table.api.Schema.newBuilder()
        .column("k", "BIGINT").column("v", "BIGINT").column("ts", "BIGINT")
        .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
        .watermark("rowtime", "SOURCE_WATERMARK()").build());
    tables.createTemporaryView("events", table.dropColumns(org.apache.flink.table.api.Expressions.$("ts"))
        .renameColumns(org.apache.flink.table.api.Expressions.$("rowtime").as("ts")));
    Table result = tables.sqlQuery(String.format(QUERY, "events"));
    tables.toDataStream(result).addSink(new CountSink());
    env.execute("flink-sql");
  }

  /** An event of the generator, for Flink's DataStream (a POJO: public fields, no-argument constructor). */
  public static final class Event {
    public long k;
    public long v;
    public long ts;

    public Event() {}
  }

  private static final class ToEvent extends RichMapFunction<Long, Event> {
    private final long events;

    ToEvent(long events) {
      this.events = events;
    }

    @Override
    public void open(OpenContext context) {
      FIRST_NANOS.accumulate(System.nanoTime());
    }

    @Override
    public Event map(Long i) {
      Event event = new Event();
      event.k = key(i);
      event.v = value(i);
      event.ts = eventTimeMillis(i, events);
      return event;
    }
  }

  private static final class CountSink implements SinkFunction<org.apache.flink.types.Row> {
    @Override
    public void invoke(org.apache.flink.types.Row row, Context context) {
      ROWS.increment();
      COUNTED.add((Long) row.getField("events"));
      LAST_NANOS.accumulate(System.nanoTime());
    }
  }

  private static final class EventFn extends DoFn<Long, Row> {
    private final long events;

    EventFn(long events) {
      this.events = events;
    }

    @StartBundle
    public void startBundle() {
      FIRST_NANOS.accumulate(System.nanoTime());
    }

    @ProcessElement
    public void process(@Element Long i, OutputReceiver<Row> out) {
      out.output(Row.withSchema(EVENT).attachValues(key(i), value(i), new Instant(eventTimeMillis(i, events))));
    }
  }

  private static final class CountRowsFn extends DoFn<Row, Void> {
    @ProcessElement
    public void process(@Element Row row) {
      ROWS.increment();
      COUNTED.add(row.getInt64("events"));
      LAST_NANOS.accumulate(System.nanoTime());
    }
  }
}
