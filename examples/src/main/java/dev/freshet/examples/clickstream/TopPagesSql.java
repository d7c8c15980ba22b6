package dev.freshet.examples.clickstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.examples.ExampleStreams;
import dev.freshet.examples.Examples;
import dev.freshet.examples.GeneratedInputOptions;
import dev.freshet.examples.SqlScripts;
import dev.freshet.runners.FreshetPipelineOptions;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Clickstream analytics in SQL ({@code freshet run clickstream-sql}): the three most viewed pages
 * of every minute, the SQL twin of {@link TopPages}. It writes {@code --clicks} generated clicks
 * ({@link ClickEventGenerator}, over {@code --minutes} of event time) to the stream {@value
 * #CLICKS}, runs {@code examples/clickstream/top-pages.sql} (a window Top-N: TUMBLE, then {@code
 * ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY views DESC)}, cut at 3) through {@code
 * FreshetSql}, whose {@code INSERT INTO} writes one record per ranked page to the stream {@value
 * #TOP_PAGES}, and prints that stream, one line per minute:
 *
 * <pre>
 * 10:00-10:01  1. / 127  2. /search 42  3. /deals 37
 * </pre>
 *
 * <p>Both streams are recreated by each run; with {@code --clicks=0} the clicks stream is left as
 * it is and the query reads what it holds.
 */
public final class TopPagesSql implements Examples.Program {
  /** The stream of clicks the script reads. */
  public static final String CLICKS = "sql-clicks";
  /** The stream the script's INSERT INTO writes. */
  public static final String TOP_PAGES = "top-pages";
  /** The packed script, {@code examples/clickstream/top-pages.sql} in the repository. */
  public static final String SCRIPT = "examples/clickstream/top-pages.sql";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

  /** The flags of the example. */
  public interface Options extends GeneratedInputOptions {
    @Description("How many clicks to generate into sql-clicks; 0 generates none and reads what the stream "
        + "holds. Default: 3000.")
    @Default.Integer(3000)
    int getClicks();

    void setClicks(int value);
  }

  /** The clicks this example writes for {@code options}, in event-time order. */
  public static List<ClickEvent> clicks(Options options) {
    Instant start = GeneratedInputOptions.startTime(options);
    long spanMillis = GeneratedInputOptions.minutes(options) * 60_000L;
    ClickEventGenerator generator = ClickEventGenerator.create(options.getSeed(), 500);
    List<ClickEvent> clicks = new ArrayList<>();
    for (int i = 0; i < options.getClicks(); i++) {
      clicks.add(generator.next(start.plusMillis(i * spanMillis / options.getClicks())));
    }
    return clicks;
  }

  @Override
  public void prepare(FreshetPipelineOptions given, PrintWriter out) throws Exception {
    Options options = given.as(Options.class);
    if (options.getClicks() < 0) {
      throw new IllegalArgumentException("clicks must be 0 or more, but was: " + options.getClicks());
    }
    List<ClickEvent> clicks = clicks(options);
    try (StreamClients.Lease lease = StreamClients.acquire(options.getEndpoint())) {
      StreamClient client = lease.client();
      ExampleStreams.recreate(client, TOP_PAGES, 1);
      if (!clicks.isEmpty()) {
        ExampleStreams.recreate(client, CLICKS, 2);
        List<PutRecordsEntry> entries = new ArrayList<>();
        for (ClickEvent click : clicks) {
          entries.add(PutRecordsEntry.of(click.partitionKey(), click.toJsonBytes()));
        }
        ExampleStreams.put(client, CLICKS, entries);
        out.printf("wrote %,d clicks (%s to %s) to stream %s%n", clicks.size(), clicks.get(0).timestamp(),
            clicks.get(clicks.size() - 1).timestamp(), CLICKS);
      } else if (!ExampleStreams.exists(client, CLICKS)) {
        throw new IllegalArgumentException("--clicks=0 reads the stream " + CLICKS + ", which does not exist");
      }
    }
  }

  @Override
  public Optional<Pipeline> pipeline(FreshetPipelineOptions options) throws IOException {
    return Optional.of(SqlScripts.pipeline(options,
        SqlScripts.load(SCRIPT, options.as(Options.class).getSqlFile())));
  }

  @Override
  public void finish(FreshetPipelineOptions options, PrintWriter out) throws Exception {
    List<String> records;
    try (StreamClients.Lease lease = StreamClients.acquire(options.getEndpoint())) {
      records = ExampleStreams.readAll(lease.client(), TOP_PAGES);
    }
    out.printf("top pages per minute (%d records in stream %s):%n", records.size(), TOP_PAGES);
    lines(records).forEach(out::println);
  }

  /** The ranked pages of {@code records} (the stream's JSON), one line per minute, in time order. */
  public static List<String> lines(List<String> records) throws IOException {
    List<JsonNode> rows = new ArrayList<>();
    for (String record : records) {
      rows.add(JSON.readTree(record));
    }
    rows.sort(Comparator.comparing((JsonNode row) -> row.path("window_start").asText())
        .thenComparingLong(row -> row.path("page_rank").asLong()));
    List<String> lines = new ArrayList<>();
    StringBuilder line = null;
    String window = null;
    for (JsonNode row : rows) {
      if (!row.path("window_start").asText().equals(window)) {
        if (line != null) {
          lines.add(line.toString());
        }
        window = row.path("window_start").asText();
        Instant start = Instant.parse(window);
        line = new StringBuilder(MINUTE.format(start) + "-" + MINUTE.format(start.plusSeconds(60)));
      }
      line.append(String.format("  %d. %s %d", row.path("page_rank").asLong(), row.path("page").asText(),
          row.path("views").asLong()));
    }
    if (line != null) {
      lines.add(line.toString());
    }
    return lines;
  }
}
