package dev.freshet.examples.fraud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.examples.ExampleRun;
import dev.freshet.examples.ExampleStreams;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.StreamClients;
import dev.freshet.transforms.firehose.PostgresCluster;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * fraud-alerts end to end on the Direct runner: generated transactions in the embedded store, the
 * example's SQL into the alert stream, that stream delivered by FirehoseDelivery's PostgreSQL
 * destination into a real, throwaway PostgreSQL ({@link PostgresCluster}); the table then holds
 * exactly the alerts computed here from the same transactions (5 or more transactions, or more
 * than 2,000 spent, per card and minute), and a row left from an earlier run is gone.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FraudAlertsIT {
  @TempDir Path dir;

  @Test
  void theTableHoldsExactlyTheAlertsOfTheTransactions() throws Exception {
    URI endpoint = StreamClients.endpointOf(dir.resolve("data"));
    try (PostgresCluster postgres = PostgresCluster.start();
        StreamClients.Lease lease = StreamClients.register(endpoint,
            LocalStreamStore.open(StoreConfig.builder(dir.resolve("data")).build()))) {
      String[] flags = {"--endpoint=" + endpoint, "--jdbcUrl=" + postgres.jdbcUrl(), "--cards=100",
          "--transactions=250", "--minutes=4", "--seed=3", "--stagingDir=" + dir.resolve("staging")};

      // Counted here: per card and minute, the transactions and their total.
      List<CardTransaction> transactions = TransactionGenerator.transactions(3, 100, 250,
          Instant.parse("2026-01-01T10:00:00Z"), Duration.ofMinutes(4));
      Map<String, BigDecimal> totals = new TreeMap<>();
      Map<String, Long> counts = new TreeMap<>();
      for (CardTransaction t : transactions) {
        String key = Instant.ofEpochSecond(t.eventTime().getEpochSecond() / 60 * 60) + " " + t.cardId();
        totals.merge(key, BigDecimal.valueOf(t.amount()), BigDecimal::add);
        counts.merge(key, 1L, Long::sum);
      }
      List<String> expected = new ArrayList<>();
      counts.forEach((key, count) -> {
        BigDecimal total = totals.get(key);
        if (count >= 5 || total.compareTo(BigDecimal.valueOf(2000)) > 0) {
          expected.add(key + " " + count + " " + total.setScale(2, RoundingMode.HALF_UP));
        }
      });
      // Both kinds of fraud are in there, card testing and sprees.
      assertThat(expected).hasSizeGreaterThanOrEqualTo(2)
          .anyMatch(alert -> Long.parseLong(alert.split(" ")[2]) >= 5)
          .anyMatch(alert -> new BigDecimal(alert.split(" ")[3]).compareTo(BigDecimal.valueOf(2000)) > 0);

      // A row of an earlier run, which the run empties the table of.
      postgres.execute("CREATE TABLE fraud_alerts (card_id text NOT NULL, window_start timestamptz NOT NULL, "
          + "transactions bigint NOT NULL, total numeric(12, 2) NOT NULL)");
      postgres.execute("INSERT INTO fraud_alerts VALUES ('card-9999', '2025-01-01T00:00:00Z', 9, 9.99)");

      String printed = ExampleRun.run("fraud-alerts", flags);
      assertThat(rows(postgres)).isEqualTo(expected);
      assertThat(ExampleStreams.readAll(lease.client(), FraudAlerts.ALERTS)).hasSize(expected.size());
      assertThat(printed).contains("wrote " + transactions.size() + " transactions of 100 cards to stream "
              + "card-transactions; table fraud_alerts is empty")
          .contains("delivered stream fraud-alerts into PostgreSQL table fraud_alerts: " + expected.size() + " alerts");
      String first = expected.get(0);
      assertThat(printed).contains(first.substring(11, 16) + "  " + first.split(" ")[1] + "  ");
    }
  }

  /** The table's rows as "window_start card count total", in the example's order. */
  private static List<String> rows(PostgresCluster postgres) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = postgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT window_start, card_id, transactions, total FROM fraud_alerts ORDER BY window_start, card_id")) {
      while (rs.next()) {
        rows.add(rs.getObject(1, OffsetDateTime.class).toInstant() + " " + rs.getString(2) + " " + rs.getLong(3)
            + " " + rs.getBigDecimal(4));
      }
    }
    return rows;
  }
}
