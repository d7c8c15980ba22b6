package dev.freshet.transforms.firehose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.joda.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL destination against a real PostgreSQL (a throwaway cluster of the machine's
 * PostgreSQL binaries, see {@link PostgresCluster}): batches staged as objects in a folder, then
 * loaded with COPY, read back with SQL.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PostgresDestinationIT {
  private static PostgresCluster cluster;

  @TempDir Path dir;

  @BeforeAll
  static void startPostgres() throws Exception {
    cluster = PostgresCluster.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private PostgresDestination.Builder table(String table) {
    return PostgresDestination.builder().setJdbcUrl(cluster.jdbcUrl()).setTable(table)
        .setStaging(FirehoseDestination.localFiles(dir.resolve("staging"))).setInitialBackoff(Duration.millis(10));
  }

  private static List<String> strings(String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = cluster.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  @Test
  void loadsEveryJsonRecordWithJsonAutoFromGzipStagedBatches() throws Exception {
    cluster.execute("CREATE TABLE clicks (id integer NOT NULL, page text, amount numeric, meta text, "
        + "loaded text DEFAULT 'yes')");
    // About 1.4 MiB with a 1 MiB buffer: at least two batches, so two staged objects and two COPYs.
    List<FirehoseRecord> records = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      records.add(FirehoseRecord.ofText("{\"id\":" + i + ",\"page\":\"/p/" + i + "\",\"amount\":" + i + ".5,"
          + "\"meta\":{\"k\":" + i + "},\"ignored\":\"" + "z".repeat(640) + "\"}",
          FirehoseDeliveryTest.T0.plus(Duration.standardSeconds(i % 60))));
    }
    Pipeline pipeline = FirehoseDeliveryTest.directPipeline();
    FirehoseDeliveryResult result = pipeline.apply(Create.of(records)).apply(FirehoseDelivery.to(
            table("clicks").setColumns(List.of("id", "page", "amount", "meta")).setCopyOptions(CopyOptions.jsonAuto())
                .build())
        .withDeliveryStreamName("to-pg").withBufferSize(1).withCompression(CompressionFormat.GZIP)
        .withAppendDelimiter(true).withPrefix("staged/"));
    PAssert.that(result.getErrors()).empty();
    PAssert.that(result.getDeliveredObjects()).satisfies(objects -> {
      long total = 0;
      int n = 0;
      for (DeliveredObject object : objects) {
        assertThat(object.key()).startsWith("staged/2024/03/07/09/to-pg-1-").endsWith(".gz");
        total += object.recordCount();
        n++;
      }
      assertThat(total).isEqualTo(2000);
      assertThat(n).isGreaterThanOrEqualTo(2);
      return null;
    });
    FirehoseDeliveryTest.run(pipeline);

    List<String> ids = strings("SELECT id FROM clicks ORDER BY id");
    assertThat(ids).hasSize(2000);
    assertThat(new HashSet<>(ids)).hasSize(2000);
    assertThat(strings("SELECT page || ' ' || amount || ' ' || meta || ' ' || loaded FROM clicks WHERE id = 7"))
        .containsExactly("/p/7 7.5 {\"k\":7} yes");
    // The staged objects hold exactly the records that were loaded.
    TreeMap<String, byte[]> staged = Objects.read(dir.resolve("staging"));
    assertThat(staged).hasSizeGreaterThanOrEqualTo(2);
    assertThat(Objects.lines(staged)).containsExactlyInAnyOrderElementsOf(FirehoseDeliveryTest.texts(records));
  }

  @Test
  void loadsDelimitedTextAndCsvIntoAColumnList() throws Exception {
    cluster.execute("CREATE TABLE pages (id integer, page text, note text DEFAULT 'default')");
    cluster.execute("CREATE TABLE quoted (id integer, title text)");
    List<FirehoseRecord> piped = new ArrayList<>();
    List<FirehoseRecord> csv = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      piped.add(FirehoseRecord.ofText(i + "|/p/" + i, FirehoseDeliveryTest.T0));
      csv.add(FirehoseRecord.ofText(i + ";'a '';'' title " + i + "'", FirehoseDeliveryTest.T0));
    }
    Pipeline pipeline = FirehoseDeliveryTest.directPipeline();
    pipeline.apply("Piped", Create.of(piped)).apply("ToPages", FirehoseDelivery.to(
            table("pages").setColumns(List.of("id", "page")).build())
        .withDeliveryStreamName("pages").withAppendDelimiter(true));
    pipeline.apply("Csv", Create.of(csv)).apply("ToQuoted", FirehoseDelivery.to(
            table("quoted").setCopyOptions(CopyOptions.csv().withDelimiter(';').withQuote('\'')).build())
        .withDeliveryStreamName("quoted"));
    FirehoseDeliveryTest.run(pipeline);

    assertThat(strings("SELECT count(*) FROM pages WHERE page = '/p/' || id AND note = 'default'")).containsExactly("300");
    assertThat(strings("SELECT count(DISTINCT id) FROM pages")).containsExactly("300");
    assertThat(strings("SELECT title FROM quoted WHERE id = 42")).containsExactly("a ';' title 42");
    assertThat(strings("SELECT count(DISTINCT id) FROM quoted")).containsExactly("300");
  }

  @Test
  void aMissingTableIsRetriedThenTheBatchGoesToTheErrorOutput() {
    List<FirehoseRecord> records = FirehoseDeliveryTest.jsonRecords(20, 1);
    List<String> expected = new ArrayList<>(FirehoseDeliveryTest.texts(records));
    Pipeline pipeline = FirehoseDeliveryTest.directPipeline();
    FirehoseDeliveryResult result = pipeline.apply(Create.of(records)).apply(FirehoseDelivery.to(
            table("no_such_table").setCopyOptions(CopyOptions.jsonAuto()).setColumns(List.of("n"))
                .setRetryDuration(Duration.millis(300)).build())
        .withDeliveryStreamName("missing").withAppendDelimiter(true));
    PAssert.that(result.getErrors()).satisfies(errors -> {
      List<String> raw = new ArrayList<>();
      Set<Long> attempts = new HashSet<>();
      for (FirehoseErrorRecord error : errors) {
        assertThat(error.errorCode()).isEqualTo("Redshift.TableNotFound");
        assertThat(error.errorOutputType()).isEqualTo("postgresql-failed");
        assertThat(error.errorMessage()).contains("no_such_table");
        attempts.add(error.attemptsMade());
        raw.add(new String(error.rawDataBytes(), StandardCharsets.UTF_8));
      }
      assertThat(raw).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(attempts).singleElement().satisfies(n -> assertThat(n).isGreaterThanOrEqualTo(2));
      return null;
    });
    FirehoseDeliveryTest.run(pipeline);
    TreeMap<String, byte[]> objects = Objects.read(dir.resolve("staging"));
    // The staged batch stays, as the service leaves it; the error records go under the error prefix.
    List<String> staged = Objects.lines(new TreeMap<>(objects.headMap("postgresql-failed/")));
    assertThat(staged).containsExactlyInAnyOrderElementsOf(expected);
    List<JsonNode> errors = Objects.lines(new TreeMap<>(objects.tailMap("postgresql-failed/"))).stream()
        .map(FirehoseDeliveryTest::json).toList();
    assertThat(errors).hasSize(20).allMatch(e -> e.get("errorCode").asText().equals("Redshift.TableNotFound"));
  }

  @Test
  void aBatchThatCannotLoadFailsAtOnceAndLoadsNothing() throws Exception {
    cluster.execute("CREATE TABLE strict (n integer NOT NULL, customer text)");
    List<FirehoseRecord> records = new ArrayList<>(FirehoseDeliveryTest.jsonRecords(30, 2));
    records.add(FirehoseRecord.ofText("[\"not an object\"]", FirehoseDeliveryTest.T0));
    Pipeline pipeline = FirehoseDeliveryTest.directPipeline();
    FirehoseDeliveryResult result = pipeline.apply(Create.of(records)).apply(FirehoseDelivery.to(
            table("strict").setCopyOptions(CopyOptions.jsonAutoIgnoreCase()).setRetryDuration(Duration.standardSeconds(60))
                .build())
        .withDeliveryStreamName("strict"));
    PAssert.that(result.getErrors()).satisfies(errors -> {
      int n = 0;
      for (FirehoseErrorRecord error : errors) {
        assertThat(error.errorCode()).isEqualTo("Redshift.DataLoadFailed");
        assertThat(error.errorMessage()).contains("of the batch is not a JSON object");
        assertThat(error.attemptsMade()).isEqualTo(1);
        n++;
      }
      assertThat(n).isEqualTo(31);
      return null;
    });
    FirehoseDeliveryTest.run(pipeline);
    assertThat(strings("SELECT count(*) FROM strict")).containsExactly("0");
  }
}
