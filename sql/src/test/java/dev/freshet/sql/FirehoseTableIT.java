package dev.freshet.sql;

import static dev.freshet.sql.SqlTesting.directPipeline;
import static dev.freshet.sql.SqlTesting.runAndVerify;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.Pipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code INSERT INTO} a {@code firehose} table on the Direct runner: windowed rows from a stream in
 * the embedded store, delivered as gzip objects under the prefix in a local folder, and read back
 * with {@link GZIPInputStream}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FirehoseTableIT {
  @TempDir static Path dir;
  static SqlTesting store;
  static FreshetSql sql;

  @BeforeAll
  static void open() {
    store = SqlTesting.open(dir.resolve("data"));
    sql = FreshetSql.open(dir.resolve("data"));
  }

  @AfterAll
  static void close() {
    store.close();
  }

  @Test
  void pageViewsPerMinuteAreDeliveredAsGzipJsonLines() throws IOException {
    store.createStream("clickstream", 2);
    store.put("clickstream", WindowedSqlIT.clicks());
    sql.execute(String.format(WindowedSqlIT.CLICKS_TABLE, "clicks", "clickstream"));
    Path lake = dir.resolve("lake");
    sql.execute("CREATE EXTERNAL TABLE page_views_out (page VARCHAR, window_start TIMESTAMP, views BIGINT) "
        + "TYPE firehose LOCATION 'page-views' TBLPROPERTIES '{\"destination\": \"" + lake.toUri() + "\", "
        + "\"bufferSize\": 1, \"bufferInterval\": \"60s\", \"compression\": \"GZIP\", \"prefix\": \"views/\"}'");

    Pipeline pipeline = directPipeline();
    sql.query(pipeline, "INSERT INTO page_views_out " + String.format(WindowedSqlIT.PAGE_VIEWS, "clicks"));
    runAndVerify(pipeline);

    List<Path> objects;
    try (Stream<Path> files = Files.walk(lake)) {
      objects = files.filter(Files::isRegularFile).toList();
    }
    assertThat(objects).isNotEmpty().allSatisfy(object -> {
      String key = lake.relativize(object).toString();
      assertThat(key).matches("views/\\d{4}/\\d{2}/\\d{2}/\\d{2}/page-views-1-\\d{4}(-\\d{2}){5}-[0-9a-f-]{36}\\.gz");
    });
    List<String> lines = new ArrayList<>();
    for (Path object : objects) {
      lines.addAll(gunzipLines(object));
    }
    assertThat(lines).containsExactlyInAnyOrder(
        "{\"page\":\"/home\",\"window_start\":\"2026-01-01T10:00:00.000Z\",\"views\":3}",
        "{\"page\":\"/cart\",\"window_start\":\"2026-01-01T10:00:00.000Z\",\"views\":2}",
        "{\"page\":\"/home\",\"window_start\":\"2026-01-01T10:01:00.000Z\",\"views\":2}",
        "{\"page\":\"/checkout\",\"window_start\":\"2026-01-01T10:01:00.000Z\",\"views\":2}",
        "{\"page\":\"/cart\",\"window_start\":\"2026-01-01T10:02:00.000Z\",\"views\":2}",
        "{\"page\":\"/home\",\"window_start\":\"2026-01-01T10:02:00.000Z\",\"views\":1}");
  }

  @Test
  void csvRowsWithoutDelimiterGoOneLinePerRecordWhenAsked() throws IOException {
    store.createStream("meters", 1);
    store.put("meters", List.of(new String[] {"m1", "{\"meter\":\"m1\",\"kwh\":1.5}"},
        new String[] {"m2", "{\"meter\":\"m2\",\"kwh\":2.0}"}, new String[] {"m1", "{\"meter\":\"m1\",\"kwh\":3.0}"}));
    sql.execute("CREATE EXTERNAL TABLE meters (meter VARCHAR, kwh DOUBLE) TYPE kinesis LOCATION 'meters' "
        + "TBLPROPERTIES '{\"read\": \"snapshot\"}'");
    Path lake = dir.resolve("meters-lake");
    sql.execute("CREATE EXTERNAL TABLE totals_out (meter VARCHAR, total DOUBLE) TYPE firehose LOCATION 'totals' "
        + "TBLPROPERTIES '{\"destination\": \"" + lake.toUri() + "\", \"format\": \"csv\"}'");

    Pipeline pipeline = directPipeline();
    sql.query(pipeline, "INSERT INTO totals_out SELECT meter, SUM(kwh) FROM meters GROUP BY meter");
    runAndVerify(pipeline);

    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.walk(lake)) {
      for (Path object : files.filter(Files::isRegularFile).toList()) {
        assertThat(object.getFileName().toString()).startsWith("totals-1-").doesNotEndWith(".gz");
        lines.addAll(Files.readAllLines(object));
      }
    }
    assertThat(lines).containsExactlyInAnyOrder("m1,4.5", "m2,2.0");
  }

  private static List<String> gunzipLines(Path object) {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(object))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
