package dev.freshet.cli;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.examples.clickstream.TopPages.WindowRanking;
import dev.freshet.examples.firehose.ClickArchive;
import dev.freshet.sdk.io.StreamIO;
import dev.freshet.sdk.io.StreamRecord;
import dev.freshet.sdk.io.WatermarkPolicy;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sql.window.FreshetQueryPlanner;
import dev.freshet.transforms.firehose.DeliveredObject;
import dev.freshet.transforms.firehose.FirehoseDeliveryResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.sql.SqlTransform;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The pipeline of {@code freshet demo}: one read of the click stream, two branches.
 *
 * <ul>
 *   <li><b>Top pages by SQL.</b> Each click becomes a row {@code (page, event_time)}; Beam SQL with
 *       Freshet's planner ({@link FreshetQueryPlanner}: Top-N per window with {@code ROW_NUMBER})
 *       computes {@link #TOP_PAGES_SQL} and {@link #TOTALS_SQL} over {@code TUMBLE} windows, and
 *       each closed window's ranking goes to the demo's {@link Listener} as it closes.
 *   <li><b>Archive by Firehose.</b> The records, as read, through {@link ClickArchive#delivery}:
 *       GZIP JSON lines in one prefix per hour of arrival ({@code clicks/yyyy/MM/dd/HH/}), put
 *       under the destination folder; each object put goes to the listener.
 * </ul>
 *
 * <p>The read ends at a stop time, so the pipeline finishes by itself: the watermark then passes
 * every window and the end of input puts every Firehose buffer. The counter {@code
 * clickstream/views} counts the clicks read. Listeners are looked up by id in this JVM (the Direct
 * runner and Flink {@code [local]} run the pipeline here).
 */
final class DemoPipeline {
  /** The most viewed pages of each window, ties in page order (see docs/sql.md, Top-N per window). */
  static final String TOP_PAGES_SQL = """
      SELECT window_start, page, views FROM (
        SELECT window_start, page, views,
               ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY views DESC) AS rn
        FROM (SELECT TUMBLE_START(event_time, INTERVAL '%1$d' SECOND) AS window_start, page,
                     COUNT(*) AS views
              FROM PCOLLECTION
              GROUP BY page, TUMBLE(event_time, INTERVAL '%1$d' SECOND)))
      WHERE rn <= %2$d""";

  /** The views of each window. */
  static final String TOTALS_SQL = """
      SELECT TUMBLE_START(event_time, INTERVAL '%1$d' SECOND) AS window_start, COUNT(*) AS views
      FROM PCOLLECTION
      GROUP BY TUMBLE(event_time, INTERVAL '%1$d' SECOND)""";

  static final Schema CLICKS = Schema.builder().addStringField("page").addDateTimeField("event_time").build();

  private static final Map<String, Listener> LISTENERS = new ConcurrentHashMap<>();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Counter VIEWS = Metrics.counter("clickstream", "views");

  private DemoPipeline() {}

  /** What the demo hears from its pipeline, on the runner's threads. */
  interface Listener {
    /** A window closed. */
    void window(WindowRanking ranking);

    /** The archive put an object. */
    void object(DeliveredObject object);
  }

  /** Where and what: the stream, the read's bounds, the windows and the archive's folder. */
  record Settings(URI endpoint, String stream, StartingPosition start, Instant stopReadingAt,
      int windowSeconds, int top, Path archive, int bufferSeconds) {
    Settings {
      checkArgument(windowSeconds > 0, "windowSeconds must be positive, but was: %s", windowSeconds);
      checkArgument(top > 0, "top must be positive, but was: %s", top);
    }
  }

  static void listen(String id, Listener listener) {
    LISTENERS.put(id, listener);
  }

  static void unlisten(String id) {
    LISTENERS.remove(id);
  }

  /** Adds the demo's read, SQL and delivery to {@code pipeline}; results go to listener {@code id}. */
  static void apply(Pipeline pipeline, Settings settings, String listenerId) {
    PCollection<StreamRecord> clicks = pipeline.apply("ReadClicks", StreamIO.read()
        .withStream(settings.stream())
        .withEndpoint(settings.endpoint())
        .withStartingPosition(settings.start())
        .withWatermarkPolicy(WatermarkPolicy.eventTime(DemoPipeline::clickTime)
            .withIdleThreshold(Duration.standardSeconds(2)))
        .withStopReadingAt(settings.stopReadingAt()));

    // Branch 1: SQL over rows of (page, event_time).
    PCollection<Row> rows = clicks.apply("ToRows", ParDo.of(new ToRowFn())).setRowSchema(CLICKS);
    PCollection<Row> top = rows.apply("TopPagesSql", SqlTransform
        .query(String.format(TOP_PAGES_SQL, settings.windowSeconds(), settings.top()))
        .withQueryPlannerClass(FreshetQueryPlanner.class));
    PCollection<Row> totals = rows.apply("TotalsSql", SqlTransform
        .query(String.format(TOTALS_SQL, settings.windowSeconds()))
        .withQueryPlannerClass(FreshetQueryPlanner.class));
    // Both results are in the queries' windows; grouped by window start, a window's rows meet once
    // it has closed, and become one ranking. The two schemas differ, so the rows travel as
    // serialized Rows (a handful per window).
    Window<KV<Long, Row>> windows = Window.into(FixedWindows.of(Duration.standardSeconds(settings.windowSeconds())));
    KvCoder<Long, Row> keyed = KvCoder.of(VarLongCoder.of(), SerializableCoder.of(Row.class));
    PCollection<KV<Long, Row>> topByWindow = top.apply("TopByWindow", ParDo.of(new ByWindowStartFn()))
        .setCoder(keyed).apply("TopWindows", windows);
    PCollection<KV<Long, Row>> totalsByWindow = totals.apply("TotalsByWindow", ParDo.of(new ByWindowStartFn()))
        .setCoder(keyed).apply("TotalWindows", windows);
    PCollectionList.of(topByWindow).and(totalsByWindow)
        .apply("Both", Flatten.pCollections())
        .apply("PerWindow", GroupByKey.create())
        .apply("Rank", ParDo.of(new RankFn(settings.windowSeconds(), listenerId)));

    // Branch 2: the archive.
    FirehoseDeliveryResult delivered = clicks.apply("Archive", ClickArchive.delivery(settings.archive(), 64,
        Duration.standardSeconds(settings.bufferSeconds())).forStreamRecords());
    delivered.getDeliveredObjects().apply("AnnounceObjects", ParDo.of(new ObjectFn(listenerId)));
  }

  private static JsonNode parse(StreamRecord record) {
    try {
      return JSON.readTree(record.data());
    } catch (IOException e) {
      throw new UncheckedIOException("record " + record.sequenceNumber() + " of shard " + record.shardId()
          + " is not a click event", e);
    }
  }

  static Instant clickTime(StreamRecord record) {
    return Instant.parse(parse(record).path("timestamp").asText());
  }

  /** A click as a row; counts it. */
  static final class ToRowFn extends DoFn<StreamRecord, Row> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element StreamRecord record, OutputReceiver<Row> out) {
      JsonNode click = parse(record);
      VIEWS.inc();
      out.output(Row.withSchema(CLICKS).addValues(click.path("page").asText(),
          Instant.parse(click.path("timestamp").asText())).build());
    }
  }

  /** A result row keyed by its {@code window_start} (epoch milliseconds). */
  static final class ByWindowStartFn extends DoFn<Row, KV<Long, Row>> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<KV<Long, Row>> out) {
      out.output(KV.of(row.getDateTime("window_start").getMillis(), row));
    }
  }

  /** A closed window's total and top rows become one ranking, handed to the listener. */
  static final class RankFn extends DoFn<KV<Long, Iterable<Row>>, Void> {
    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DemoPipeline.class);
    private final int windowSeconds;
    private final String listenerId;

    RankFn(int windowSeconds, String listenerId) {
      this.windowSeconds = windowSeconds;
      this.listenerId = listenerId;
    }

    @ProcessElement
    public void process(@Element KV<Long, Iterable<Row>> window) {
      long views = 0;
      List<KV<String, Long>> pages = new ArrayList<>();
      for (Row row : window.getValue()) {
        if (row.getSchema().hasField("page")) {
          pages.add(KV.of(row.getString("page"), row.getInt64("views")));
        } else {
          views += row.getInt64("views");
        }
      }
      // ROW_NUMBER's order: most views first, ties by page.
      pages.sort(Comparator.comparing((KV<String, Long> page) -> page.getValue()).reversed()
          .thenComparing(KV::getKey));
      Instant start = new Instant(window.getKey());
      WindowRanking ranking = new WindowRanking(start, start.plus(Duration.standardSeconds(windowSeconds)),
          views, pages);
      Listener listener = LISTENERS.get(listenerId);
      if (listener != null) {
        listener.window(ranking);
      } else {
        LOG.info("Top pages {}", ranking.format());
      }
    }
  }

  /** Hands each delivered object to the listener. */
  static final class ObjectFn extends DoFn<DeliveredObject, Void> {
    private static final long serialVersionUID = 1L;
    private final String listenerId;

    ObjectFn(String listenerId) {
      this.listenerId = listenerId;
    }

    @ProcessElement
    public void process(@Element DeliveredObject object) {
      Listener listener = LISTENERS.get(listenerId);
      if (listener != null) {
        listener.object(object);
      }
    }
  }
}
