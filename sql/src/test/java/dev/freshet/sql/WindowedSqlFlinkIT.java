package dev.freshet.sql;

import static dev.freshet.sql.SqlTesting.flinkPipeline;
import static dev.freshet.sql.SqlTesting.lines;
import static dev.freshet.sql.SqlTesting.runAndVerify;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queries of {@link WindowedSqlIT} on Beam's Flink runner in this JVM ({@code [local]},
 * streaming, parallelism 2), over the same embedded store: the same rows, with Flink's watermarks
 * driven by the source's. The three seed examples (TUMBLE page views, HOP temperatures, SESSION
 * fraud alerts into a stream), and Freshet's Top-N per window and CUMULATE.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class WindowedSqlFlinkIT {
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

  @Test
  void pageViewsPerPagePerMinuteOnFlink() {
    store.createStream("clickstream", 2);
    store.put("clickstream", WindowedSqlIT.clicks());
    sql.execute(String.format(WindowedSqlIT.CLICKS_TABLE, "clicks", "clickstream"));

    Pipeline pipeline = flinkPipeline();
    assertThat(pipeline.getOptions().getRunner()).isEqualTo(FlinkRunner.class);
    PAssert.that(lines(sql.query(pipeline, String.format(WindowedSqlIT.PAGE_VIEWS, "clicks"))))
        .containsInAnyOrder(WindowedSqlIT.PAGE_VIEWS_EXPECTED);
    runAndVerify(pipeline);
  }

  @Test
  void averageTemperaturePerDeviceOverHopWindowsOnFlink() {
    store.createStream("sensors", 2);
    store.put("sensors", WindowedSqlIT.readings());
    sql.execute(WindowedSqlIT.READINGS_TABLE);

    Pipeline pipeline = flinkPipeline();
    PAssert.that(lines(sql.query(pipeline, WindowedSqlIT.AVERAGE_TEMPERATURE)))
        .containsInAnyOrder(WindowedSqlIT.AVERAGE_TEMPERATURE_EXPECTED);
    runAndVerify(pipeline);
  }

  @Test
  void fraudAlertsIntoAStreamOnFlink() {
    store.createStream("transactions", 2);
    store.createStream("fraud-alerts", 1);
    store.put("transactions", WindowedSqlIT.transactions());
    sql.execute(WindowedSqlIT.TRANSACTIONS_TABLE);
    sql.execute(WindowedSqlIT.ALERTS_TABLE);

    Pipeline pipeline = flinkPipeline();
    sql.query(pipeline, WindowedSqlIT.FRAUD_ALERTS);
    assertThat(pipeline.run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);

    assertThat(store.records("fraud-alerts")).containsExactlyInAnyOrder(WindowedSqlIT.FRAUD_ALERTS_EXPECTED);
  }

  @Test
  void mostViewedPagePerMinuteAndCumulativeClicksOnFlink() {
    store.createStream("clickstream-more", 2);
    store.put("clickstream-more", WindowedSqlIT.clicks());
    sql.execute(String.format(WindowedSqlIT.CLICKS_TABLE, "clicks_more", "clickstream-more"));

    Pipeline pipeline = flinkPipeline();
    PAssert.that(lines(sql.query(pipeline, String.format(WindowedSqlIT.TOP_PAGE, "clicks_more"))))
        .containsInAnyOrder(WindowedSqlIT.TOP_PAGE_EXPECTED);
    PAssert.that(lines(sql.query(pipeline, String.format(WindowedSqlIT.CUMULATIVE_CLICKS, "clicks_more"))))
        .containsInAnyOrder(WindowedSqlIT.CUMULATIVE_CLICKS_EXPECTED);
    runAndVerify(pipeline);
  }
}
