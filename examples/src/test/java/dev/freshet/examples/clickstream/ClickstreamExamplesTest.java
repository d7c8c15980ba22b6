package dev.freshet.examples.clickstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.examples.ExampleRun;
import dev.freshet.examples.ExampleStreams;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.runners.Runners;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StreamClients;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clickstream analytics end to end on the Direct runner over the embedded store, in SQL
 * (clickstream-sql) and in Java (top-pages): the same generated clicks give, per minute, exactly
 * the top three pages counted here (most views first, ties by page name).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClickstreamExamplesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] FLAGS = {"--clicks=1500", "--minutes=3", "--seed=11"};

  @TempDir static Path dir;
  private static URI endpoint;
  private static StreamClients.Lease lease;

  @BeforeAll
  static void open() {
    endpoint = StreamClients.endpointOf(dir);
    lease = StreamClients.register(endpoint, LocalStreamStore.open(StoreConfig.builder(dir).build()));
  }

  @AfterAll
  static void close() {
    lease.close();
  }

  /** The generated clicks of {@link #FLAGS}. */
  private static List<ClickEvent> clicks() {
    PipelineOptionsFactory.register(TopPagesSql.Options.class);
    return TopPagesSql.clicks(Runners.configure(FLAGS).as(TopPagesSql.Options.class));
  }

  /** Per minute (its start), the three most viewed pages, counted from the clicks. */
  private static Map<Instant, List<KV<String, Long>>> expectedTop3(List<ClickEvent> clicks) {
    Map<Instant, Map<String, Long>> views = new TreeMap<>();
    for (ClickEvent click : clicks) {
      Instant minute = Instant.ofEpochSecond(click.timestamp().getEpochSecond() / 60 * 60);
      views.computeIfAbsent(minute, m -> new TreeMap<>()).merge(click.page(), 1L, Long::sum);
    }
    Map<Instant, List<KV<String, Long>>> top = new TreeMap<>();
    views.forEach((minute, pages) -> top.put(minute, pages.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(3).map(e -> KV.of(e.getKey(), e.getValue())).toList()));
    return top;
  }

  @Test
  void clickstreamSqlWritesTheTopThreePagesOfEveryMinute() throws Exception {
    List<String> flags = new ArrayList<>(List.of(FLAGS));
    flags.add("--endpoint=" + endpoint);
    String printed = ExampleRun.run("clickstream-sql", flags.toArray(String[]::new));

    List<ClickEvent> clicks = clicks();
    Map<Instant, List<KV<String, Long>>> expected = expectedTop3(clicks);
    assertThat(expected).hasSize(3);
    Map<Instant, List<KV<String, Long>>> actual = new TreeMap<>();
    List<JsonNode> rows = new ArrayList<>();
    for (String record : ExampleStreams.readAll(lease.client(), TopPagesSql.TOP_PAGES)) {
      rows.add(JSON.readTree(record));
    }
    rows.sort(Comparator.comparingLong(row -> row.path("page_rank").asLong()));
    for (JsonNode row : rows) {
      actual.computeIfAbsent(Instant.parse(row.path("window_start").asText()), m -> new ArrayList<>())
          .add(KV.of(row.path("page").asText(), row.path("views").asLong()));
    }
    assertThat(actual).isEqualTo(expected);

    assertThat(printed.lines().toList()).containsExactly(
        "wrote 1,500 clicks (" + clicks.get(0).timestamp() + " to " + clicks.get(1499).timestamp()
            + ") to stream sql-clicks",
        "top pages per minute (9 records in stream top-pages):",
        line("10:00-10:01", expected.get(Instant.parse("2026-01-01T10:00:00Z"))),
        line("10:01-10:02", expected.get(Instant.parse("2026-01-01T10:01:00Z"))),
        line("10:02-10:03", expected.get(Instant.parse("2026-01-01T10:02:00Z"))));
  }

  private static String line(String minute, List<KV<String, Long>> top) {
    StringBuilder line = new StringBuilder(minute);
    for (int i = 0; i < top.size(); i++) {
      line.append("  ").append(i + 1).append(". ").append(top.get(i).getKey()).append(' ').append(top.get(i).getValue());
    }
    return line.toString();
  }

  @Test
  void topPagesInJavaRanksTheSamePagesPerMinute() throws Exception {
    List<ClickEvent> clicks = clicks();
    ExampleStreams.recreate(lease.client(), "java-clicks", 2);
    List<PutRecordsEntry> entries = new ArrayList<>();
    clicks.forEach(click -> entries.add(PutRecordsEntry.of(click.partitionKey(), click.toJsonBytes())));
    ExampleStreams.put(lease.client(), "java-clicks", entries);

    PipelineOptionsFactory.register(TopPagesPipeline.Options.class);
    TopPagesPipeline.Options options = Runners.configure("--runner=DirectRunner", "--endpoint=" + endpoint,
        "--clickStream=java-clicks", "--clicksFrom=trim-horizon", "--windowSeconds=60", "--top=3",
        "--runSeconds=2").as(TopPagesPipeline.Options.class);
    ConcurrentLinkedQueue<TopPages.WindowRanking> rankings = new ConcurrentLinkedQueue<>();
    var pipeline = TopPagesPipeline.create(options);
    TopPages.listen("top-pages-pipeline", rankings::add); // instead of printing
    assertThat(pipeline.run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);

    Map<Instant, List<KV<String, Long>>> actual = new TreeMap<>();
    Map<Instant, Long> totals = new TreeMap<>();
    for (TopPages.WindowRanking ranking : rankings) {
      Instant start = Instant.ofEpochMilli(ranking.start().getMillis());
      assertThat(actual.put(start, ranking.pages())).as("one ranking per minute").isNull();
      totals.put(start, ranking.views());
    }
    assertThat(actual).isEqualTo(expectedTop3(clicks));
    Map<Instant, Long> expectedTotals = new TreeMap<>();
    clicks.forEach(click -> expectedTotals.merge(
        Instant.ofEpochSecond(click.timestamp().getEpochSecond() / 60 * 60), 1L, Long::sum));
    assertThat(totals).isEqualTo(expectedTotals);
  }
}
