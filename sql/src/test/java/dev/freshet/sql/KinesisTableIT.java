package dev.freshet.sql;

import static dev.freshet.sql.SqlTesting.directPipeline;
import static dev.freshet.sql.SqlTesting.lines;
import static dev.freshet.sql.SqlTesting.runAndVerify;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.StartingPosition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code kinesis} table type on the Direct runner over the real embedded store: payload formats,
 * metadata columns and ROWTIME, INSERT INTO with partition keys, snapshot against follow, and the
 * catalog across restarts.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KinesisTableIT {
  @TempDir static Path dir;
  static SqlTesting store;
  static FreshetSql sql;

  @BeforeAll
  static void open() {
    store = SqlTesting.open(dir);
    sql = FreshetSql.open(dir);
  }

  @AfterAll
  static void close() {
    store.close();
  }

  /** The records of a one-shard stream, as the store has them. */
  private static List<Record> recordsOf(String stream) {
    String shard = store.client.listShards(ListShardsRequest.of(stream)).shards().get(0).shardId();
    GetRecordsResult result = store.client.getRecords(
        store.client.getShardIterator(stream, shard, StartingPosition.trimHorizon()), 100);
    return result.records();
  }

  @Test
  void metadataColumnsAndRowtimeComeFromTheRecord() {
    store.createStream("visits", 1);
    store.put("visits", List.of(
        new String[] {"key-a", "{\"user_id\":\"u1\",\"page\":\"/home\"}"},
        new String[] {"key-b", "{\"user_id\":\"u2\",\"page\":\"/cart\",\"extra\":[1,2]}"}));
    sql.execute("CREATE EXTERNAL TABLE visits (user_id VARCHAR, partition_key VARCHAR, page VARCHAR, "
        + "sequence_number VARCHAR, shard_id VARCHAR, arrival_time TIMESTAMP, ROWTIME TIMESTAMP) "
        + "TYPE kinesis LOCATION 'visits' TBLPROPERTIES '{\"read\": \"snapshot\"}'");

    List<String> expected = new ArrayList<>();
    String[] users = {"u1|key-a|/home", "u2|key-b|/cart"};
    List<Record> records = recordsOf("visits");
    for (int i = 0; i < 2; i++) {
      Record record = records.get(i);
      String arrival = new Instant(record.approximateArrivalTimestamp().toEpochMilli()).toString();
      expected.add(users[i] + "|" + record.sequenceNumber() + "|shardId-000000000000|" + arrival + "|" + arrival);
    }
    Pipeline pipeline = directPipeline();
    PAssert.that(lines(sql.query(pipeline, "SELECT * FROM visits"))).containsInAnyOrder(expected);
    runAndVerify(pipeline);
  }

  @Test
  void avroPayloadsAndAggregatesOverASnapshotWithoutWindows() {
    store.createStream("meters", 2);
    Schema payload = Schema.builder()
        .addNullableField("meter", Schema.FieldType.STRING)
        .addNullableField("kwh", Schema.FieldType.INT64)
        .addNullableField("read_at", Schema.FieldType.DATETIME)
        .build();
    SimpleFunction<Row, byte[]> avro = AvroUtils.getRowToAvroBytesFunction(payload);
    long[][] readings = {{1, 5}, {2, 7}, {1, 11}, {3, 2}, {2, 1}};
    for (long[] reading : readings) {
      store.putBytes("meters", "m" + reading[0], avro.apply(Row.withSchema(payload)
          .addValues("m" + reading[0], reading[1], Instant.parse("2026-01-01T00:00:00Z")).build()));
    }
    sql.execute("CREATE EXTERNAL TABLE meters (meter VARCHAR, kwh BIGINT, read_at TIMESTAMP) TYPE kinesis "
        + "LOCATION 'meters' TBLPROPERTIES '{\"format\": \"avro\", \"timestampField\": \"read_at\", \"read\": \"snapshot\"}'");

    Pipeline pipeline = directPipeline();
    PAssert.that(lines(sql.query(pipeline, "SELECT meter, SUM(kwh) AS total, COUNT(*) AS readings FROM meters GROUP BY meter")))
        .containsInAnyOrder("m1|16|2", "m2|8|2", "m3|2|1");
    runAndVerify(pipeline);
  }

  @Test
  void insertIntoWritesTheDataColumnsKeyedByThePartitionKeyColumn() {
    store.createStream("orders", 1);
    store.createStream("big-orders", 1);
    store.createStream("order-log", 1);
    store.put("orders", List.of(
        new String[] {"x", "o1,alice,250.5"},
        new String[] {"x", "o2,bob,12.0"},
        new String[] {"x", "\"o3\",\"carol, jr\",999.25"}));
    sql.execute("CREATE EXTERNAL TABLE orders (order_id VARCHAR, customer VARCHAR, amount DOUBLE) TYPE kinesis "
        + "LOCATION 'orders' TBLPROPERTIES '{\"format\": \"csv\", \"read\": \"snapshot\"}'");
    sql.execute("CREATE EXTERNAL TABLE big_orders (partition_key VARCHAR, order_id VARCHAR, amount DOUBLE) "
        + "TYPE kinesis LOCATION 'big-orders' TBLPROPERTIES '{\"format\": \"json\"}'");
    sql.execute("CREATE EXTERNAL TABLE order_log (order_id VARCHAR, customer VARCHAR) "
        + "TYPE kinesis LOCATION 'order-log' TBLPROPERTIES '{\"format\": \"csv\"}'");

    Pipeline pipeline = directPipeline();
    sql.query(pipeline, "INSERT INTO big_orders SELECT customer, order_id, amount FROM orders WHERE amount > 100");
    sql.query(pipeline, "INSERT INTO order_log SELECT order_id, customer FROM orders");
    runAndVerify(pipeline);

    assertThat(store.records("big-orders")).containsExactlyInAnyOrder(
        "alice {\"order_id\":\"o1\",\"amount\":250.5}",
        "carol, jr {\"order_id\":\"o3\",\"amount\":999.25}");
    List<String> log = store.records("order-log");
    assertThat(log).extracting(line -> line.substring(line.indexOf(' ') + 1))
        .containsExactlyInAnyOrder("o1,alice", "o2,bob", "o3,\"carol, jr\"");
    // Without a key column the key is a hash of the data: 32 hex digits, the same for the same data.
    assertThat(log).allSatisfy(line -> assertThat(line).matches("[0-9a-f]{32} .*"));
  }

  @Test
  void followIsUnboundedAndSnapshotIsBounded() {
    store.createStream("live", 1);
    sql.execute("CREATE EXTERNAL TABLE live_follow (v VARCHAR) TYPE kinesis LOCATION 'live'");
    sql.execute("CREATE EXTERNAL TABLE live_snapshot (v VARCHAR) TYPE kinesis LOCATION 'live' "
        + "TBLPROPERTIES '{\"read\": \"snapshot\"}'");

    Pipeline pipeline = directPipeline();
    PCollection<Row> follow = sql.query(pipeline, "SELECT v FROM live_follow");
    PCollection<Row> snapshot = sql.query(pipeline, "SELECT v FROM live_snapshot");
    assertThat(follow.isBounded()).isEqualTo(PCollection.IsBounded.UNBOUNDED);
    assertThat(snapshot.isBounded()).isEqualTo(PCollection.IsBounded.BOUNDED);
  }

  @Test
  void tablesSurviveARestartAndDropForgetsThem() throws Exception {
    store.createStream("kept", 1);
    store.put("kept", List.<String[]>of(new String[] {"k", "{\"n\": 7, \"tags\": [\"a\", \"b\"]}"}));
    sql.execute("CREATE EXTERNAL TABLE kept (n INTEGER, tags ARRAY<VARCHAR>) TYPE kinesis "
        + "COMMENT 'survives restarts' LOCATION 'kept' TBLPROPERTIES '{\"read\": \"snapshot\"}'");
    Path file = dir.resolve("sql/catalog/kept.json");
    assertThat(file).exists();

    FreshetSql restarted = FreshetSql.open(dir);
    assertThat(restarted.tables()).containsKey("kept");
    assertThat(restarted.tables().get("kept").getSchema()).isEqualTo(sql.tables().get("kept").getSchema());
    Pipeline pipeline = directPipeline();
    PAssert.that(lines(restarted.query(pipeline, "SELECT n, tags FROM kept"))).containsInAnyOrder("7|[a, b]");
    runAndVerify(pipeline);

    restarted.execute("DROP TABLE kept");
    assertThat(file).doesNotExist();
    assertThat(FreshetSql.open(dir).tables()).doesNotContainKey("kept");
    assertThat(store.client.listStreams(null, 100).streamNames()).contains("kept"); // the stream itself stays
  }

  @Test
  void aBadDefinitionIsRefusedWithThePropertyAndNothingIsStored() throws Exception {
    assertThatThrownBy(() -> sql.execute("CREATE EXTERNAL TABLE bad (t TIMESTAMP) TYPE kinesis LOCATION 'x' "
            + "TBLPROPERTIES '{\"timestampField\": \"t\", \"watermarkDelay\": \"soon\"}'"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("watermarkDelay")
        .hasMessageContaining("soon");
    assertThatThrownBy(() -> sql.execute("CREATE EXTERNAL TABLE bad (t TIMESTAMP) TYPE kinesis LOCATION 'x' "
            + "TBLPROPERTIES '{\"timestampField\": \"event_time\"}'"))
        .hasMessageContaining("timestampField")
        .hasMessageContaining("event_time");
    assertThat(sql.tables()).doesNotContainKey("bad");
    try (var files = Files.list(dir.resolve("sql/catalog"))) {
      assertThat(files.map(f -> f.getFileName().toString())).doesNotContain("bad.json");
    }
  }

  @Test
  void aSqlTransformJoinsThePipelinesRowsWithTheCatalogsTables() {
    store.createStream("prices", 1);
    store.put("prices", List.of(
        new String[] {"a", "{\"sku\":\"a\",\"price\":2.5}"},
        new String[] {"b", "{\"sku\":\"b\",\"price\":4.0}"}));
    sql.execute("CREATE EXTERNAL TABLE prices (sku VARCHAR, price DOUBLE) TYPE kinesis LOCATION 'prices' "
        + "TBLPROPERTIES '{\"read\": \"snapshot\"}'");
    Schema orderSchema = Schema.builder().addStringField("sku").addInt32Field("qty").build();

    Pipeline pipeline = directPipeline();
    PCollection<Row> orders = pipeline.apply(Create.of(
            Row.withSchema(orderSchema).addValues("a", 2).build(),
            Row.withSchema(orderSchema).addValues("b", 3).build(),
            Row.withSchema(orderSchema).addValues("c", 1).build())
        .withRowSchema(orderSchema));
    PCollection<Row> totals = orders.apply(sql.transform(
        "SELECT o.sku, o.qty * p.price AS total FROM PCOLLECTION o JOIN freshet.prices p ON o.sku = p.sku"));
    PAssert.that(lines(totals)).containsInAnyOrder("a|5.0", "b|12.0");
    runAndVerify(pipeline);
  }

  @Test
  void aSnapshotReadsWhatArrivedBeforeTheQueryAndNotWhatCameAfter() {
    store.createStream("ticks", 2);
    store.put("ticks", List.of(new String[] {"a", "{\"n\": 1}"}, new String[] {"b", "{\"n\": 2}"}));
    sql.execute("CREATE EXTERNAL TABLE ticks (n INTEGER) TYPE kinesis LOCATION 'ticks' "
        + "TBLPROPERTIES '{\"read\": \"snapshot\"}'");

    Pipeline pipeline = directPipeline();
    PAssert.that(lines(sql.query(pipeline, "SELECT n FROM ticks"))).containsInAnyOrder("1", "2");
    long built = System.currentTimeMillis();
    while (System.currentTimeMillis() <= built) {
      Thread.onSpinWait(); // arrival times have millisecond resolution: the next put must be later
    }
    store.put("ticks", List.of(new String[] {"a", "{\"n\": 3}"}, new String[] {"b", "{\"n\": 4}"}));
    runAndVerify(pipeline);
  }
}
