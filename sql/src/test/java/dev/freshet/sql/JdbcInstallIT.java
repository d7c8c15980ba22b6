package dev.freshet.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.sql.window.FreshetQueryPlanner;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.extensions.sql.impl.JdbcConnection;
import org.apache.beam.sdk.extensions.sql.impl.JdbcDriver;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Freshet's rules on a connection of Beam's JDBC driver, the way the shell opens one, after {@link
 * FreshetQueryPlanner#installInJdbc}: the Top-N and the CUMULATE queries of {@link WindowedSqlIT}
 * over a snapshot table, on the Direct runner, through JDBC, give the same rows as through {@code
 * FreshetSql}. The CUMULATE test fails when Beam's basic aggregation rule plans the aggregate over
 * the {@code Calc} that JDBC's planner makes of the {@code Project} (an aggregate without a window
 * over a call of CUMULATE, which cannot run).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JdbcInstallIT {
  @TempDir Path dir;

  @Test
  void topNRunsThroughBeamsJdbcDriverOnceInstalled() throws Exception {
    try (SqlTesting store = SqlTesting.open(dir)) {
      store.createStream("clickstream", 2);
      store.put("clickstream", WindowedSqlIT.clicks());
      FreshetSql sql = FreshetSql.open(dir);
      sql.execute(String.format(WindowedSqlIT.CLICKS_TABLE, "clicks", "clickstream"));
      JdbcConnection connection = JdbcDriver.connect(sql.catalog(), PipelineOptionsFactory.create());
      FreshetQueryPlanner.installInJdbc(connection);
      try (Statement statement = connection.createStatement()) {
        assertThat(rows(statement.executeQuery("SELECT page, views FROM ("
                + String.format(WindowedSqlIT.TOP_PAGE, "clicks") + ")")))
            .containsExactlyInAnyOrder("/home|3", "/checkout|2", "/cart|2");
      }
    }
  }

  @Test
  void cumulateRunsThroughBeamsJdbcDriverOnceInstalled() throws Exception {
    try (SqlTesting store = SqlTesting.open(dir)) {
      store.createStream("clickstream", 2);
      store.put("clickstream", WindowedSqlIT.clicks());
      FreshetSql sql = FreshetSql.open(dir);
      sql.execute(String.format(WindowedSqlIT.CLICKS_TABLE, "clicks", "clickstream"));
      JdbcConnection connection = JdbcDriver.connect(sql.catalog(), PipelineOptionsFactory.create());
      FreshetQueryPlanner.installInJdbc(connection);
      try (Statement statement = connection.createStatement()) {
        assertThat(rows(statement.executeQuery(String.format(WindowedSqlIT.CUMULATIVE_CLICKS, "clicks"))))
            // WindowedSqlIT.CUMULATIVE_CLICKS_EXPECTED, as JDBC prints a TIMESTAMP
            .containsExactlyInAnyOrder("2026-01-01 10:01:00.000000|5", "2026-01-01 10:02:00.000000|9",
                "2026-01-01 10:03:00.000000|3", "2026-01-01 10:04:00.000000|3");
      }
    }
  }

  private static List<String> rows(ResultSet result) throws Exception {
    List<String> rows = new ArrayList<>();
    while (result.next()) {
      StringBuilder row = new StringBuilder();
      for (int i = 1; i <= result.getMetaData().getColumnCount(); i++) {
        row.append(i > 1 ? "|" : "").append(result.getString(i));
      }
      rows.add(row.toString());
    }
    return rows;
  }
}
