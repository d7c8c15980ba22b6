package dev.freshet.sql;

import static dev.freshet.sql.SqlTesting.directPipeline;
import static dev.freshet.sql.SqlTesting.lines;
import static dev.freshet.sql.SqlTesting.runAndVerify;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Windowed analytics end to end on the Direct runner: streams in the real embedded store, tables in
 * the persistent catalog, TUMBLE, HOP and SESSION over event time with the source's watermarks, and
 * exact result rows. Reads are snapshots, so every pipeline ends by itself.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class WindowedSqlIT {
  static final Instant BASE = Instant.parse("2026-01-01T10:00:00Z");

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

  static String at(int seconds) {
    return BASE.plus(seconds * 1000L).toString();
  }

  /** Clicks in event-time order per user (each user is one partition key, so one shard). */
  static List<String[]> clicks() {
    Object[][] clicks = {
        {"u1", "/home", 5}, {"u2", "/home", 10}, {"u3", "/cart", 20}, {"u1", "/cart", 40}, {"u2", "/home", 50},
        {"u3", "/home", 65}, {"u1", "/home", 70}, {"u2", "/checkout", 90},
        {"u1", "/cart", 130}, {"u3", "/cart", 150}, {"u2", "/home", 170},
        // 15 s older than u1's click before it: on time only thanks to the watermark delay
        {"u1", "/checkout", 115},
    };
    List<String[]> records = new ArrayList<>();
    for (Object[] click : clicks) {
      records.add(new String[] {(String) click[0], String.format(
          "{\"user_id\":\"%s\",\"page\":\"%s\",\"event_time\":\"%s\"}", click[0], click[1], at((Integer) click[2]))});
    }
    return records;
  }

  static final String CLICKS_TABLE = "CREATE EXTERNAL TABLE %s (user_id VARCHAR, page VARCHAR, event_time TIMESTAMP) "
      + "TYPE kinesis LOCATION '%s' TBLPROPERTIES '{\"format\": \"json\", \"timestampField\": \"event_time\", "
      + "\"watermarkDelay\": \"30s\", \"read\": \"snapshot\"}'";

  static final String PAGE_VIEWS = "SELECT page, TUMBLE_START(event_time, INTERVAL '1' MINUTE) AS window_start, "
      + "COUNT(*) AS views FROM %s GROUP BY page, TUMBLE(event_time, INTERVAL '1' MINUTE)";

  static final String[] PAGE_VIEWS_EXPECTED = {
      "/home|2026-01-01T10:00:00.000Z|3",
      "/cart|2026-01-01T10:00:00.000Z|2",
      "/home|2026-01-01T10:01:00.000Z|2",
      "/checkout|2026-01-01T10:01:00.000Z|2",
      "/cart|2026-01-01T10:02:00.000Z|2",
      "/home|2026-01-01T10:02:00.000Z|1",
  };

  @Test
  void pageViewsPerPagePerMinuteWithTumble() {
    store.createStream("clickstream", 2);
    store.put("clickstream", clicks());
    sql.execute(String.format(CLICKS_TABLE, "clicks", "clickstream"));

    Pipeline pipeline = directPipeline();
    PAssert.that(lines(sql.query(pipeline, String.format(PAGE_VIEWS, "clicks")))).containsInAnyOrder(PAGE_VIEWS_EXPECTED);
    runAndVerify(pipeline);
  }

  /** Top-N per window: the most viewed page of each minute, over the TUMBLE query above. */
  static final String TOP_PAGE = "SELECT window_start, page, views FROM (SELECT page, window_start, views, "
      + "ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY views DESC) AS rn FROM (" + PAGE_VIEWS + ")) "
      + "WHERE rn <= 1";

  /** /home and /checkout tie on 2 views at 10:01; ROW_NUMBER breaks ties by the other columns, page first. */
  static final String[] TOP_PAGE_EXPECTED = {
      "2026-01-01T10:00:00.000Z|/home|3",
      "2026-01-01T10:01:00.000Z|/checkout|2",
      "2026-01-01T10:02:00.000Z|/cart|2",
  };

  /** CUMULATE: clicks so far in each 2-minute period, every minute. */
  static final String CUMULATIVE_CLICKS = "SELECT CUMULATE(event_time, INTERVAL '1' MINUTE, INTERVAL '2' MINUTE) "
      + "AS window_end, COUNT(*) AS clicks FROM %s "
      + "GROUP BY CUMULATE(event_time, INTERVAL '1' MINUTE, INTERVAL '2' MINUTE)";

  static final String[] CUMULATIVE_CLICKS_EXPECTED = {
      "2026-01-01T10:01:00.000Z|5",
      "2026-01-01T10:02:00.000Z|9",
      "2026-01-01T10:03:00.000Z|3",
      "2026-01-01T10:04:00.000Z|3",
  };

  @Test
  void mostViewedPagePerMinuteWithRowNumber() {
    store.createStream("clickstream-top", 2);
    store.put("clickstream-top", clicks());
    sql.execute(String.format(CLICKS_TABLE, "clicks_top", "clickstream-top"));

    Pipeline pipeline = directPipeline();
    PAssert.that(lines(sql.query(pipeline, String.format(TOP_PAGE, "clicks_top")))).containsInAnyOrder(TOP_PAGE_EXPECTED);
    runAndVerify(pipeline);
  }

  @Test
  void clicksSoFarInEachPeriodWithCumulate() {
    store.createStream("clickstream-cumulate", 2);
    store.put("clickstream-cumulate", clicks());
    sql.execute(String.format(CLICKS_TABLE, "clicks_cumulate", "clickstream-cumulate"));

    Pipeline pipeline = directPipeline();
    PAssert.that(lines(sql.query(pipeline, String.format(CUMULATIVE_CLICKS, "clicks_cumulate"))))
        .containsInAnyOrder(CUMULATIVE_CLICKS_EXPECTED);
    runAndVerify(pipeline);
  }

  static List<String[]> readings() {
    return List.of(
        new String[] {"d1", "d1,20.0," + at(10)},
        new String[] {"d2", "d2,10.0," + at(30)},
        new String[] {"d1", "d1,22.0," + at(70)},
        new String[] {"d2", "d2,14.0," + at(100)},
        new String[] {"d1", "d1,24.0," + at(130)});
  }

  static final String READINGS_TABLE = "CREATE EXTERNAL TABLE readings (device_id VARCHAR, temperature DOUBLE, "
      + "event_time TIMESTAMP) TYPE kinesis LOCATION 'sensors' TBLPROPERTIES "
      + "'{\"format\": \"csv\", \"timestampField\": \"event_time\", \"read\": \"snapshot\"}'";

  static final String AVERAGE_TEMPERATURE = "SELECT device_id, "
      + "HOP_START(event_time, INTERVAL '1' MINUTE, INTERVAL '2' MINUTE) AS window_start, "
      + "AVG(temperature) AS avg_temperature FROM readings "
      + "GROUP BY device_id, HOP(event_time, INTERVAL '1' MINUTE, INTERVAL '2' MINUTE)";

  static final String[] AVERAGE_TEMPERATURE_EXPECTED = {
      "d1|2026-01-01T09:59:00.000Z|20.0",
      "d1|2026-01-01T10:00:00.000Z|21.0",
      "d1|2026-01-01T10:01:00.000Z|23.0",
      "d1|2026-01-01T10:02:00.000Z|24.0",
      "d2|2026-01-01T09:59:00.000Z|10.0",
      "d2|2026-01-01T10:00:00.000Z|12.0",
      "d2|2026-01-01T10:01:00.000Z|14.0",
  };

  @Test
  void averageTemperaturePerDeviceOverHopWindows() {
    store.createStream("sensors", 2);
    store.put("sensors", readings());
    sql.execute(READINGS_TABLE);

    Pipeline pipeline = directPipeline();
    PAssert.that(lines(sql.query(pipeline, AVERAGE_TEMPERATURE))).containsInAnyOrder(AVERAGE_TEMPERATURE_EXPECTED);
    runAndVerify(pipeline);
  }

  static List<String[]> transactions() {
    Object[][] transactions = {
        {"A", 1500.0, "Paris", 0}, {"C", 5000.0, "Oslo", 5}, {"B", 1100.0, "Rome", 10}, {"A", 2000.0, "London", 30},
        {"B", 1300.0, "Rome", 40}, {"A", 20.0, "Paris", 45}, {"A", 1200.0, "Berlin", 60}, {"B", 1800.0, "Rome", 70},
        {"D", 1000.0, "Madrid", 120}, {"D", 3000.0, "Lisbon", 170}, {"D", 1500.0, "Madrid", 200},
        {"C", 5000.0, "Lima", 300}, {"C", 5000.0, "Kyiv", 600},
    };
    List<String[]> records = new ArrayList<>();
    for (Object[] t : transactions) {
      records.add(new String[] {(String) t[0], String.format(
          "{\"card_id\":\"%s\",\"amount\":%s,\"city\":\"%s\",\"event_time\":\"%s\"}", t[0], t[1], t[2], at((Integer) t[3]))});
    }
    return records;
  }

  static final String TRANSACTIONS_TABLE = "CREATE EXTERNAL TABLE transactions (card_id VARCHAR, amount DOUBLE, "
      + "city VARCHAR, event_time TIMESTAMP) TYPE kinesis LOCATION 'transactions' "
      + "TBLPROPERTIES '{\"timestampField\": \"event_time\", \"watermarkDelay\": \"10s\", \"read\": \"snapshot\"}'";

  static final String ALERTS_TABLE = "CREATE EXTERNAL TABLE fraud_alerts (card_id VARCHAR, first_seen TIMESTAMP, "
      + "last_seen TIMESTAMP, large_transactions BIGINT, total DOUBLE) TYPE kinesis LOCATION 'fraud-alerts' "
      + "TBLPROPERTIES '{\"partitionKey\": \"card_id\"}'";

  static final String FRAUD_ALERTS = "INSERT INTO fraud_alerts "
      + "SELECT card_id, SESSION_START(event_time, INTERVAL '2' MINUTE), MAX(event_time), "
      + "COUNT(*), SUM(amount) FROM transactions WHERE amount >= 1000 "
      + "GROUP BY card_id, SESSION(event_time, INTERVAL '2' MINUTE) "
      + "HAVING COUNT(*) >= 3 AND MIN(city) <> MAX(city)";

  static final String[] FRAUD_ALERTS_EXPECTED = {
      "A {\"card_id\":\"A\",\"first_seen\":\"2026-01-01T10:00:00.000Z\",\"last_seen\":\"2026-01-01T10:01:00.000Z\","
          + "\"large_transactions\":3,\"total\":4700.0}",
      "D {\"card_id\":\"D\",\"first_seen\":\"2026-01-01T10:02:00.000Z\",\"last_seen\":\"2026-01-01T10:03:20.000Z\","
          + "\"large_transactions\":3,\"total\":5500.0}",
  };

  @Test
  void fraudAlertsFromSessionsOfLargeTransactionsInDifferentCities() {
    store.createStream("transactions", 2);
    store.createStream("fraud-alerts", 1);
    store.put("transactions", transactions());
    sql.execute(TRANSACTIONS_TABLE);
    sql.execute(ALERTS_TABLE);

    Pipeline pipeline = directPipeline();
    sql.query(pipeline, FRAUD_ALERTS);
    runAndVerify(pipeline);

    assertThat(store.records("fraud-alerts")).containsExactlyInAnyOrder(FRAUD_ALERTS_EXPECTED);
  }

  @Test
  void tumbleCountsEveryRecordAcrossASplitAndAMerge() {
    store.createStream("resharded", 1);
    store.put("resharded", minuteOfEvents(0));
    store.client.splitShard("resharded", "shardId-000000000000", java.math.BigInteger.ONE.shiftLeft(127));
    store.put("resharded", minuteOfEvents(1));
    store.client.mergeShards("resharded", "shardId-000000000001", "shardId-000000000002");
    store.put("resharded", minuteOfEvents(2));
    sql.execute("CREATE EXTERNAL TABLE resharded (n INTEGER, event_time TIMESTAMP) TYPE kinesis "
        + "LOCATION 'resharded' TBLPROPERTIES '{\"timestampField\": \"event_time\", \"read\": \"snapshot\"}'");

    Pipeline pipeline = directPipeline();
    PAssert.that(lines(sql.query(pipeline, "SELECT TUMBLE_START(event_time, INTERVAL '1' MINUTE) AS window_start, "
            + "COUNT(*) AS events, SUM(n) AS total FROM resharded GROUP BY TUMBLE(event_time, INTERVAL '1' MINUTE)")))
        .containsInAnyOrder(
            "2026-01-01T10:00:00.000Z|20|190",
            "2026-01-01T10:01:00.000Z|20|590",
            "2026-01-01T10:02:00.000Z|20|990");
    runAndVerify(pipeline);
  }

  /**
   * Processing-time windows: rows are windowed by when the query read them, not by anything in
   * the record. The records are stored first and the query starts a second later, so every row's
   * processing time is later than every arrival time: windows by arrival (or event) time would
   * start before the query did, and these start at or after it.
   */
  @Test
  void processingTimeWindowsCountRowsByWhenTheyAreRead() throws InterruptedException {
    store.createStream("read-times", 2);
    store.put("read-times", minuteOfEvents(0));
    Thread.sleep(1_100);
    sql.execute("CREATE EXTERNAL TABLE read_times (n INTEGER, event_time TIMESTAMP, processing_time TIMESTAMP, "
        + "arrival_time TIMESTAMP) TYPE kinesis LOCATION 'read-times' "
        + "TBLPROPERTIES '{\"timestampField\": \"processing_time\", \"read\": \"snapshot\"}'");
    Instant queryStart = Instant.now();

    Pipeline pipeline = directPipeline();
    PAssert.that(sql.query(pipeline, "SELECT TUMBLE_START(processing_time, INTERVAL '10' SECOND) AS window_start, "
            + "COUNT(*) AS events, MIN(processing_time) AS first_read, MAX(arrival_time) AS last_arrival "
            + "FROM read_times GROUP BY TUMBLE(processing_time, INTERVAL '10' SECOND)"))
        .satisfies(rows -> {
          long events = 0;
          for (Row row : rows) {
            events += row.getInt64("events");
            Instant windowStart = row.getDateTime("window_start").toInstant();
            Instant firstRead = row.getDateTime("first_read").toInstant();
            assertThat(firstRead).isGreaterThanOrEqualTo(queryStart);
            assertThat(firstRead).isGreaterThan(row.getDateTime("last_arrival").toInstant());
            assertThat(windowStart).isLessThanOrEqualTo(firstRead)
                .isGreaterThan(queryStart.minus(org.joda.time.Duration.standardSeconds(10)));
          }
          assertThat(events).isEqualTo(20);
          return null;
        });
    runAndVerify(pipeline);
  }

  /** Twenty events numbered from {@code 20 * minute}, two seconds apart within that minute, over ten keys. */
  private static List<String[]> minuteOfEvents(int minute) {
    List<String[]> records = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      int n = minute * 20 + i;
      records.add(new String[] {"key-" + (i % 10),
          String.format("{\"n\": %d, \"event_time\": \"%s\"}", n, at(minute * 60 + i * 2))});
    }
    return records;
  }
}
