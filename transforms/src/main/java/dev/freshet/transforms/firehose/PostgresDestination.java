package dev.freshet.transforms.firehose;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import com.google.common.collect.ImmutableList;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import org.joda.time.Duration;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL table, loaded the way the service loads Amazon Redshift: each buffer is first staged
 * as an object in an object store (local files or S3, under the delivery's prefix), then loaded
 * with one {@code COPY table (columns) FROM STDIN} through the PostgreSQL JDBC driver's {@code
 * CopyManager}.
 *
 * <pre>{@code
 * PostgresDestination.builder()
 *     .setJdbcUrl("jdbc:postgresql://127.0.0.1:5432/warehouse")   // required
 *     .setUser("loader").setPassword("secret")                    // default: none (the URL's, or trust)
 *     .setTable("public.clicks")                                  // required; must exist
 *     .setColumns(List.of("id", "page", "at"))                    // default: every column of the table
 *     .setCopyOptions(CopyOptions.jsonAuto())                     // default CopyOptions.text(): '|' delimited
 *     .setStaging(FirehoseDestination.localFiles(Path.of("/data/staging")))  // required
 *     .setRetryDuration(Duration.standardMinutes(10))             // default 3600 s, 0–7200 s
 *     .build();
 * }</pre>
 *
 * <p>The staged object is what the delivery would put to S3 (compressed as it says); {@code COPY}
 * reads the same records, uncompressed. One {@code COPY} is one transaction: a batch loads whole or
 * not at all. A failed load is retried (1 s, doubling with ±15% jitter, at most 2 minutes; no retry
 * after the retry duration from the first failure), except when the data itself cannot load (a
 * record that is not a JSON object for {@code JSON 'auto'}, or SQLSTATE classes 22 and 23, such as
 * a bad number or a NULL in a NOT NULL column): retrying the same records cannot help, so such a
 * batch fails at once. A failed batch's records go to the error output ({@code postgresql-failed},
 * under the error output prefix in the staging store) with the service's Redshift error codes:
 * {@code Redshift.TableNotFound}, {@code Redshift.ColumnNotFound}, {@code Redshift.MissingColumn},
 * {@code Redshift.DataLoadFailed}, {@code Redshift.ConnectionFailed}, {@code
 * Redshift.AuthenticationFailed}, {@code Redshift.DatabaseNotFound}, {@code
 * Redshift.InsufficientPrivilege}, {@code Redshift.SyntaxError}, {@code Redshift.DiskFull}, {@code
 * Redshift.ReadOnlyCluster}. Its staged object stays where it is (the service leaves a manifest
 * for a manual backfill).
 *
 * <p>Delivery is at-least-once: if the connection breaks after PostgreSQL committed a {@code COPY}
 * and before the driver saw it, the retry loads the batch again.
 */
@AutoValue
public abstract class PostgresDestination implements BatchDestination {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(PostgresDestination.class);
  private static final Pattern IDENTIFIER = Pattern.compile("([A-Za-z_][A-Za-z0-9_$]*|\"([^\"]|\"\")+\")");
  private static final Pattern TABLE = Pattern.compile(IDENTIFIER.pattern() + "(\\." + IDENTIFIER.pattern() + ")?");
  private static final Duration MAX_RETRY_DURATION = Duration.standardSeconds(7200);

  /** {@code !{firehose:error-output-type}} of records that could not be loaded. */
  public static final String ERROR_OUTPUT_TYPE = "postgresql-failed";
  static final String TABLE_NOT_FOUND = "Redshift.TableNotFound";
  static final String COLUMN_NOT_FOUND = "Redshift.ColumnNotFound";
  static final String MISSING_COLUMN = "Redshift.MissingColumn";
  static final String DATA_LOAD_FAILED = "Redshift.DataLoadFailed";
  static final String CONNECTION_FAILED = "Redshift.ConnectionFailed";
  static final String AUTHENTICATION_FAILED = "Redshift.AuthenticationFailed";
  static final String DATABASE_NOT_FOUND = "Redshift.DatabaseNotFound";
  static final String INSUFFICIENT_PRIVILEGE = "Redshift.InsufficientPrivilege";
  static final String SYNTAX_ERROR = "Redshift.SyntaxError";
  static final String DISK_FULL = "Redshift.DiskFull";
  static final String READ_ONLY = "Redshift.ReadOnlyCluster";

  public static Builder builder() {
    return new AutoValue_PostgresDestination.Builder()
        .setColumns(List.of())
        .setCopyOptions(CopyOptions.text())
        .setRetryDuration(Duration.standardSeconds(3600))
        .setInitialBackoff(Duration.standardSeconds(1));
  }

  public abstract String jdbcUrl();

  abstract @Nullable String user();

  abstract @Nullable String password();

  public abstract String table();

  public abstract ImmutableList<String> columns();

  public abstract CopyOptions copyOptions();

  public abstract FirehoseDestination staging();

  public abstract Duration retryDuration();

  abstract Duration initialBackoff();

  /** Settings of a {@link PostgresDestination}. */
  @AutoValue.Builder
  public abstract static class Builder {
    /** {@code jdbc:postgresql://host:port/database[?...]}. Required. */
    public abstract Builder setJdbcUrl(String url);

    public abstract Builder setUser(@Nullable String user);

    public abstract Builder setPassword(@Nullable String password);

    /** The table, {@code name} or {@code schema.name} (quoted identifiers allowed). Required; must exist. */
    public abstract Builder setTable(String table);

    /** The column list of {@code COPY} (DataTableColumns). Default: every column of the table, in order. */
    public abstract Builder setColumns(List<String> columns);

    /** How records are read (CopyOptions). Default {@link CopyOptions#text()}. */
    public abstract Builder setCopyOptions(CopyOptions options);

    /** Where each batch is staged before it is loaded, and where the error output goes. Required. */
    public abstract Builder setStaging(FirehoseDestination staging);

    /** How long to keep retrying a failed load after the first failure: 0–7,200 s, default 3,600 s. */
    public abstract Builder setRetryDuration(Duration duration);

    /** The first wait between attempts (default 1 s); tests shorten it. */
    abstract Builder setInitialBackoff(Duration backoff);

    abstract PostgresDestination autoBuild();

    public PostgresDestination build() {
      PostgresDestination d = autoBuild();
      checkArgument(d.jdbcUrl().startsWith("jdbc:postgresql:"),
          "jdbcUrl must start with jdbc:postgresql:, but was: %s", d.jdbcUrl());
      checkArgument(TABLE.matcher(d.table()).matches(),
          "table must be a name or schema.name (quoted names allowed), but was: %s", d.table());
      for (String column : d.columns()) {
        checkArgument(IDENTIFIER.matcher(column).matches(), "column must be a name (quoted allowed), but was: %s", column);
      }
      checkArgument(!(d.staging() instanceof BatchDestination),
          "staging must be an object destination (local files or S3), but was: %s", d.staging().describe());
      checkArgument(!d.retryDuration().isShorterThan(Duration.ZERO) && !d.retryDuration().isLongerThan(MAX_RETRY_DURATION),
          "retryDuration must be between 0 and 7200 s, but was: %s s", d.retryDuration().getMillis() / 1000.0);
      return d;
    }
  }

  @Override
  public FirehoseDestination.Connection connect() throws IOException {
    return staging().connect();
  }

  @Override
  public String errorOutputType() {
    return ERROR_OUTPUT_TYPE;
  }

  @Override
  public int maxBufferSizeMiB() {
    return 128;
  }

  @Override
  public String describe() {
    String url = jdbcUrl();
    int query = url.indexOf('?');
    return "PostgreSQL table " + table() + " at " + (query < 0 ? url : url.substring(0, query));
  }

  @Override
  public final String toString() {
    return "PostgresDestination{" + describe() + ", columns=" + columns() + ", copyOptions=" + copyOptions()
        + ", staging=" + staging().describe() + ", retryDuration=" + retryDuration() + "}";
  }

  @Override
  public BatchConnection connectBatches() throws IOException {
    return new Loader(staging().connect());
  }

  /** A failed load: the service's code, and whether retrying the same batch can help. */
  private record Failure(String code, String message, boolean permanent) {}

  /** One worker's staging connection and database session (opened on first use, reopened after a failure). */
  private final class Loader implements BatchConnection {
    private final FirehoseDestination.Connection staging;
    private java.sql.@Nullable Connection session;
    private @Nullable List<String> tableColumns;

    Loader(FirehoseDestination.Connection staging) {
      this.staging = staging;
    }

    @Override
    public BatchResult deliver(Batch batch) throws IOException, InterruptedException {
      staging.put(batch.key(), batch.object());
      DeliveryRetries retries = new DeliveryRetries(retryDuration().getMillis(), initialBackoff().getMillis());
      while (true) {
        retries.attempt();
        Failure failure = load(batch);
        if (failure == null) {
          return BatchResult.delivered(batch.key(), retries.attempts());
        }
        if (failure.permanent() || !retries.waitToRetry()) {
          LOG.warn("{}: could not load {} after {} attempts ({}); its {} records go to the error output",
              describe(), batch.key(), retries.attempts(), failure.code(), batch.records().size());
          return BatchResult.failed(failure.code(), failure.message(), retries.attempts());
        }
      }
    }

    private @Nullable Failure load(Batch batch) {
      try {
        java.sql.Connection c = session();
        List<String> columns = loadColumns(c);
        byte[] rows = copyOptions().rows(batch.records(), columns);
        long loaded = c.unwrap(PGConnection.class).getCopyAPI()
            .copyIn(copyOptions().copyStatement(table(), columns), new ByteArrayInputStream(rows));
        LOG.debug("{}: loaded {} rows of {}", describe(), loaded, batch.key());
        return null;
      } catch (CopyOptions.BadDataException e) {
        return new Failure(DATA_LOAD_FAILED, "Loading data into the table failed: " + e.getMessage(), true);
      } catch (SQLException e) {
        closeSession();
        return classify(e);
      } catch (IOException e) {
        closeSession();
        return new Failure(CONNECTION_FAILED, "The connection to " + describe() + " failed: " + e, false);
      }
    }

    private java.sql.Connection session() throws SQLException {
      if (session == null) {
        Properties properties = new Properties();
        if (user() != null) {
          properties.setProperty("user", user());
        }
        if (password() != null) {
          properties.setProperty("password", password());
        }
        // The driver itself rather than DriverManager: a runner's class loader may hide the driver's service entry.
        java.sql.Connection c = new org.postgresql.Driver().connect(jdbcUrl(), properties);
        if (c == null) {
          throw new SQLException("the PostgreSQL driver does not accept " + jdbcUrl(), "08001");
        }
        c.setAutoCommit(true);
        session = c;
      }
      return session;
    }

    /** The column list: as configured, or (JSON needs names) every column of the table. */
    private List<String> loadColumns(java.sql.Connection c) throws SQLException {
      if (!columns().isEmpty() || !copyOptions().isJson()) {
        return columns();
      }
      if (tableColumns == null) {
        List<String> names = new ArrayList<>();
        try (Statement statement = c.createStatement();
            ResultSet none = statement.executeQuery("SELECT * FROM " + table() + " WHERE false")) {
          ResultSetMetaData meta = none.getMetaData();
          for (int i = 1; i <= meta.getColumnCount(); i++) {
            names.add('"' + meta.getColumnName(i).replace("\"", "\"\"") + '"');
          }
        }
        tableColumns = List.copyOf(names);
      }
      return tableColumns;
    }

    private void closeSession() {
      if (session != null) {
        try {
          session.close();
        } catch (SQLException e) {
          LOG.debug("{}: closing a failed session: {}", describe(), e.toString());
        }
        session = null;
        tableColumns = null;
      }
    }

    @Override
    public void close() throws IOException {
      closeSession();
      staging.close();
    }
  }

  /** The service's error code for a PostgreSQL error, by SQLSTATE. */
  private static Failure classify(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String message = e.getMessage();
    if (state.equals("42P01")) {
      return new Failure(TABLE_NOT_FOUND, "The table to which to load data was not found: " + message, false);
    }
    if (state.equals("42703")) {
      return new Failure(COLUMN_NOT_FOUND, "A column in the COPY command does not exist in the table: " + message, false);
    }
    if (state.equals("23502")) {
      return new Failure(MISSING_COLUMN, "A NOT NULL column without a value: " + message, true);
    }
    if (state.startsWith("22") || state.startsWith("23")) {
      return new Failure(DATA_LOAD_FAILED, "Loading data into the table failed: " + message, true);
    }
    if (state.startsWith("28")) {
      return new Failure(AUTHENTICATION_FAILED, "The user name and password failed authentication: " + message, false);
    }
    if (state.equals("3D000")) {
      return new Failure(DATABASE_NOT_FOUND, "The database was not found: " + message, false);
    }
    if (state.equals("42501")) {
      return new Failure(INSUFFICIENT_PRIVILEGE, "The user may not load data into the table: " + message, false);
    }
    if (state.equals("42601")) {
      return new Failure(SYNTAX_ERROR, "The COPY command has a syntax error: " + message, false);
    }
    if (state.equals("53100")) {
      return new Failure(DISK_FULL, "Data could not be loaded because the disk is full: " + message, false);
    }
    if (state.equals("25006")) {
      return new Failure(READ_ONLY, "The database is read-only: " + message, false);
    }
    if (state.isEmpty() || state.startsWith("08") || state.startsWith("57P")) {
      return new Failure(CONNECTION_FAILED, "The connection to the database failed: " + message, false);
    }
    return new Failure(DATA_LOAD_FAILED, "Loading data into the table failed: " + message, false);
  }
}
