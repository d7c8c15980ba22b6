package dev.freshet.sql.shell;

import dev.freshet.sdk.stream.StreamClients;
import dev.freshet.sql.FreshetSql;
import dev.freshet.sql.kinesis.KinesisTableProvider;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.extensions.sql.impl.BeamCalciteSchema;
import org.apache.beam.sdk.extensions.sql.impl.JdbcConnection;
import org.apache.beam.sdk.extensions.sql.impl.JdbcDriver;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.jspecify.annotations.Nullable;

/**
 * One shell's settings and its JDBC connection: Beam's {@code jdbc:beam:} connection over the
 * catalog, behind a proxy that runs the shell's own statements ({@code SET;}, {@code SET runner},
 * {@code SET endpoint}, {@code SET verbose}) and turns errors into one line.
 */
final class ShellSession {
  private static final Pattern SHOW = Pattern.compile("(?is)\\s*SET\\s*;?\\s*");
  private static final Pattern SET = Pattern.compile("(?is)\\s*SET\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.*?)\\s*;?\\s*");

  /** What a shell setting returns: no rows, as Beam's own {@code SET}. */
  private static final ResultSet NO_ROWS = noRows();

  private static ResultSet noRows() {
    try {
      return TextResultSet.of(List.of("-"), List.of());
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private final FreshetSql sql;
  private final BooleanSupplier verbose;
  private final Consumer<Boolean> setVerbose;
  private URI endpoint;
  private @Nullable JdbcConnection connection;
  private int failures;

  /**
   * A session whose verbose mode is sqlline's ({@code --verbose}, {@code !set verbose}), read with
   * {@code verbose} and set by {@code SET verbose = ...} with {@code setVerbose}.
   */
  ShellSession(FreshetSql sql, Path dataDir, BooleanSupplier verbose, Consumer<Boolean> setVerbose) {
    this.sql = sql;
    this.endpoint = StreamClients.endpointOf(dataDir);
    this.verbose = verbose;
    this.setVerbose = setVerbose;
  }

  /** Beam's connection over the catalog, wrapped; sqlline calls this once per {@code !connect}. */
  Connection connect() {
    connection = JdbcDriver.connect(sql.catalog(), PipelineOptionsFactory.create());
    return (Connection) Proxy.newProxyInstance(ShellSession.class.getClassLoader(),
        new Class<?>[] {Connection.class}, new ConnectionHandler(connection));
  }

  boolean verbose() {
    return verbose.getAsBoolean();
  }

  /**
   * Runs {@code statement} if it is one of the shell's own, returning its rows (or an empty result
   * for a setting); null when Beam should run it.
   */
  @Nullable ResultSet runShellStatement(String statement, Statement beam) throws SQLException {
    if (SHOW.matcher(statement).matches()) {
      return settings();
    }
    Matcher set = SET.matcher(statement);
    if (!set.matches()) {
      return null;
    }
    String name = set.group(1);
    String value = unquote(set.group(2));
    switch (name.toLowerCase(Locale.ROOT)) {
      case "verbose" -> setVerbose.accept(parseBoolean(value));
      case "endpoint" -> {
        URI uri = parseEndpoint(value);
        sql.catalog().registerProvider(KinesisTableProvider.withDefaultEndpoint(uri));
        endpoint = uri;
      }
      case "runner" -> beam.execute("SET runner = '" + runnerClass(value) + "'");
      default -> {
        if (!set.group(2).matches("[-+]?[0-9][0-9.]*")) {
          return null;
        }
        // Beam's SET takes strings and identifiers only; a number would fail with a ClassCastException.
        beam.execute("SET " + name + " = '" + value + "'");
      }
    }
    return NO_ROWS;
  }

  /** {@code SET;}: the shell's settings, then the pipeline options set with {@code SET}. */
  private ResultSet settings() throws SQLException {
    Map<String, String> options = new TreeMap<>(beamSchema().getPipelineOptions());
    Map<String, String> rows = new LinkedHashMap<>();
    String runner = options.remove("runner");
    rows.put("runner", runner == null ? "DirectRunner" : runner);
    rows.put("endpoint", endpoint.toString());
    rows.put("verbose", Boolean.toString(verbose()));
    rows.putAll(options);
    return TextResultSet.of(List.of("setting", "value"),
        rows.entrySet().stream().map(e -> List.of(e.getKey(), e.getValue())).toList());
  }

  /** How many statements failed, for the exit status of {@code -e} and {@code -f}. */
  int failures() {
    return failures;
  }

  private BeamCalciteSchema beamSchema() throws SQLException {
    if (connection == null) {
      throw new SQLException("not connected");
    }
    return connection.getCurrentSchemaPlus().unwrap(BeamCalciteSchema.class);
  }

  private static String unquote(String value) {
    if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
      return value.substring(1, value.length() - 1).replace("''", "'");
    }
    return value;
  }

  private static boolean parseBoolean(String value) throws SQLException {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "on" -> true;
      case "false", "off" -> false;
      default -> throw new SQLException("verbose must be true or false, but was: " + value);
    };
  }

  private static URI parseEndpoint(String value) throws SQLException {
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("file") && !scheme.equals("http") && !scheme.equals("https")) {
        throw new SQLException("endpoint must be a file:, http: or https: URI, but was: " + value);
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new SQLException("endpoint must be a URI such as http://localhost:4567, but was: " + value);
    }
  }

  private static String runnerClass(String value) throws SQLException {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "direct", "directrunner" -> "DirectRunner";
      case "flink", "flinkrunner" -> "FlinkRunner";
      default -> throw new SQLException("runner must be direct or flink, but was: " + value);
    };
  }

  /** The connection: statements it creates go through {@link StatementHandler}. */
  private final class ConnectionHandler implements InvocationHandler {
    private final Connection delegate;

    ConnectionHandler(Connection delegate) {
      this.delegate = delegate;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      Object result = call(delegate, method, args);
      if (result instanceof Statement statement && method.getName().equals("createStatement")) {
        return Proxy.newProxyInstance(ShellSession.class.getClassLoader(),
            new Class<?>[] {Statement.class}, new StatementHandler(statement));
      }
      return result;
    }
  }

  /** A statement: the shell's own statements first, then Beam's, with errors made one line. */
  private final class StatementHandler implements InvocationHandler {
    private final Statement delegate;
    private @Nullable ResultSet shellResult;

    StatementHandler(Statement delegate) {
      this.delegate = delegate;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      if (args != null && args.length >= 1 && args[0] instanceof String text
          && (name.equals("execute") || name.equals("executeQuery") || name.equals("executeUpdate"))) {
        // sqlline hands over what follows the previous ';', line breaks included; errors name lines
        // and columns counted from where the statement starts.
        String statement = text.stripLeading();
        args[0] = statement;
        shellResult = null;
        ResultSet own;
        try {
          own = runShellStatement(statement, delegate);
        } catch (SQLException e) {
          failures++;
          throw ShellErrors.oneLine(e, verbose());
        }
        if (own == NO_ROWS) {
          return switch (name) {
            case "execute" -> false;
            case "executeQuery" -> own;
            default -> 0;
          };
        }
        if (own != null) {
          shellResult = own;
          return switch (name) {
            case "execute" -> true;
            case "executeQuery" -> own;
            default -> 0;
          };
        }
      }
      if (shellResult != null) {
        switch (name) {
          case "getResultSet":
            return shellResult;
          case "getUpdateCount":
            return -1;
          case "getMoreResults":
            shellResult = null;
            return false;
          default:
            break;
        }
      }
      return call(delegate, method, args);
    }
  }

  private Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLException || cause instanceof RuntimeException) {
        failures++;
        throw ShellErrors.oneLine(cause, verbose());
      }
      throw cause;
    }
  }
}
