package dev.freshet.examples.fraud;

import dev.freshet.examples.ExampleStreams;
import dev.freshet.examples.Examples;
import dev.freshet.examples.GeneratedInputOptions;
import dev.freshet.examples.SqlScripts;
import dev.freshet.runners.FreshetPipelineOptions;
import dev.freshet.sdk.io.StreamIO;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import dev.freshet.transforms.firehose.CopyOptions;
import dev.freshet.transforms.firehose.FirehoseDelivery;
import dev.freshet.transforms.firehose.FirehoseDestination;
import dev.freshet.transforms.firehose.PostgresDestination;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.joda.time.Instant;

/**
 * Fraud alerts ({@code freshet run fraud-alerts --jdbcUrl=...}): card transactions ({@link
 * TransactionGenerator}) into the stream {@value #TRANSACTIONS}; {@code
 * examples/fraud-alerts/fraud-alerts.sql} raises an alert for a card with 5 or more transactions, or
 * more than 2,000 spent, in one minute, and its {@code INSERT INTO} writes the alerts to the stream
 * {@value #ALERTS}; then a second pipeline delivers that stream into the PostgreSQL table {@code
 * --table} with {@link FirehoseDelivery} and {@link PostgresDestination} (each buffer staged as an
 * object in {@code --stagingDir}, then loaded with {@code COPY ... JSON 'auto'}), and the table's
 * rows are printed:
 *
 * <pre>
 * 10:01  card-0007   6 transactions  total     55.31
 * </pre>
 *
 * <p>Each run recreates both streams and creates the table if it is missing ({@code
 * examples/fraud-alerts/postgres.sql}) and empties it.
 */
public final class FraudAlerts implements Examples.Program {
  /** The stream of transactions the script reads. */
  public static final String TRANSACTIONS = "card-transactions";
  /** The alert stream the script's INSERT INTO writes. */
  public static final String ALERTS = "fraud-alerts";
  /** The packed script, {@code examples/fraud-alerts/fraud-alerts.sql} in the repository. */
  public static final String SCRIPT = "examples/fraud-alerts/fraud-alerts.sql";
  /** The table's DDL, {@code examples/fraud-alerts/postgres.sql} in the repository. */
  public static final String TABLE_DDL = "examples/fraud-alerts/postgres.sql";

  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

  /** The flags of the example. */
  public interface Options extends GeneratedInputOptions {
    @Description("How many cards, 1 to 9999. Default: 100.")
    @Default.Integer(100)
    int getCards();

    void setCards(int value);

    @Description("How many ordinary transactions (the frauds come on top). Default: 300.")
    @Default.Integer(300)
    int getTransactions();

    void setTransactions(int value);

    @Description("The PostgreSQL database the alerts go to, such as "
        + "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres. Required.")
    String getJdbcUrl();

    void setJdbcUrl(String value);

    @Description("The table the alerts go to, created when missing. Default: fraud_alerts.")
    @Default.String("fraud_alerts")
    String getTable();

    void setTable(String value);

    @Description("Where each buffer of alerts is staged before COPY loads it. Default: "
        + "<java.io.tmpdir>/freshet-fraud-alerts-staging.")
    String getStagingDir();

    void setStagingDir(String value);
  }

  /** The transactions this example writes for {@code options}, in event-time order. */
  public static List<CardTransaction> transactions(Options options) {
    return TransactionGenerator.transactions(options.getSeed(), options.getCards(), options.getTransactions(),
        GeneratedInputOptions.startTime(options), Duration.ofMinutes(GeneratedInputOptions.minutes(options)));
  }

  @Override
  public void prepare(FreshetPipelineOptions given, PrintWriter out) throws Exception {
    Options options = given.as(Options.class);
    if (!options.getTable().matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?")) {
      throw new IllegalArgumentException("table must be a plain (optionally schema-qualified) name, but was: "
          + options.getTable());
    }
    List<CardTransaction> transactions = transactions(options);
    try (Connection connection = connect(options); Statement statement = connection.createStatement()) {
      statement.execute(SqlScripts.statements(SqlScripts.load(TABLE_DDL, null)).get(0)
          .replace("fraud_alerts", options.getTable()));
      statement.execute("TRUNCATE " + options.getTable());
    }
    try (StreamClients.Lease lease = StreamClients.acquire(options.getEndpoint())) {
      StreamClient client = lease.client();
      ExampleStreams.recreate(client, ALERTS, 1);
      ExampleStreams.recreate(client, TRANSACTIONS, 2);
      List<PutRecordsEntry> entries = new ArrayList<>();
      for (CardTransaction transaction : transactions) {
        entries.add(PutRecordsEntry.of(transaction.cardId(), transaction.toJsonBytes()));
      }
      ExampleStreams.put(client, TRANSACTIONS, entries);
    }
    out.printf("wrote %,d transactions of %d cards to stream %s; table %s is empty%n", transactions.size(),
        options.getCards(), TRANSACTIONS, options.getTable());
  }

  @Override
  public Optional<Pipeline> pipeline(FreshetPipelineOptions options) throws IOException {
    return Optional.of(SqlScripts.pipeline(options,
        SqlScripts.load(SCRIPT, options.as(Options.class).getSqlFile())));
  }

  @Override
  public void finish(FreshetPipelineOptions given, PrintWriter out) throws Exception {
    Options options = given.as(Options.class);
    PipelineResult.State state = delivery(options).run().waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("the delivery of " + ALERTS + " into PostgreSQL ended " + state);
    }
    List<String> rows = rows(options);
    out.printf("delivered stream %s into PostgreSQL table %s: %d alerts%n", ALERTS, options.getTable(), rows.size());
    rows.forEach(out::println);
  }

  /**
   * The second pipeline: what the alert stream holds now, delivered by {@link FirehoseDelivery} into
   * the table (staged in {@code --stagingDir}, loaded with {@code COPY ... JSON 'auto'}).
   */
  public static Pipeline delivery(Options options) {
    String staging = options.getStagingDir() != null ? options.getStagingDir()
        : Path.of(System.getProperty("java.io.tmpdir"), "freshet-fraud-alerts-staging").toString();
    PostgresDestination table = PostgresDestination.builder()
        .setJdbcUrl(jdbcUrl(options))
        .setTable(options.getTable())
        .setColumns(List.of("card_id", "window_start", "transactions", "total"))
        .setCopyOptions(CopyOptions.jsonAuto())
        .setStaging(FirehoseDestination.localFiles(Path.of(staging)))
        .setRetryDuration(org.joda.time.Duration.standardSeconds(60))
        .build();
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply("ReadAlerts", StreamIO.read().withStream(ALERTS).withEndpoint(options.getEndpoint())
            .withStartingPosition(StartingPosition.trimHorizon()).withStopReadingAt(Instant.now()))
        .apply("ToPostgres", FirehoseDelivery.to(table)
            .withDeliveryStreamName(ALERTS)
            .withBufferingHints(1, org.joda.time.Duration.standardSeconds(60))
            .withAppendDelimiter(true)
            .forStreamRecords());
    return pipeline;
  }

  /** The table's alerts, one line each, by window start and card. */
  public static List<String> rows(Options options) throws SQLException {
    List<String> lines = new ArrayList<>();
    try (Connection connection = connect(options); Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT card_id, window_start, transactions, total FROM "
            + options.getTable() + " ORDER BY window_start, card_id")) {
      while (rs.next()) {
        lines.add(String.format(Locale.ROOT, "%s  %s  %2d transactions  total %9s", MINUTE.format(
            rs.getObject(2, OffsetDateTime.class)), rs.getString(1), rs.getLong(3), rs.getBigDecimal(4).toPlainString()));
      }
    }
    return lines;
  }

  private static String jdbcUrl(Options options) {
    if (options.getJdbcUrl() == null || !options.getJdbcUrl().startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("fraud-alerts delivers into PostgreSQL: give "
          + "--jdbcUrl=jdbc:postgresql://HOST:PORT/DATABASE?user=NAME, but it was: " + options.getJdbcUrl());
    }
    return options.getJdbcUrl();
  }

  private static Connection connect(Options options) throws SQLException {
    String url = jdbcUrl(options);
    try {
      return DriverManager.getConnection(url);
    } catch (SQLException e) {
      throw new IllegalArgumentException("cannot connect to PostgreSQL at " + url + ": " + e.getMessage(), e);
    }
  }
}
