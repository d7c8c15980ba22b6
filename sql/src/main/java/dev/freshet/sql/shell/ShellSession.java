package dev.freshet.sql.shell;

import dev.freshet.sdk.stream.StreamClients;
import dev.freshet.sql.FreshetSql;
import dev.freshet.sql.kinesis.KinesisTableProvider;
import dev.freshet.sql.window.FreshetQueryPlanner;
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
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamCalcRel;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamRelNode;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamSortRel;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamSqlRelUtils;
import org.apache.beam.sdk.options.ApplicationNameOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.extensions.sql.impl.BeamCalciteSchema;
import org.apache.beam.sdk.extensions.sql.impl.JdbcConnection;
import org.apache.beam.sdk.extensions.sql.impl.JdbcDriver;
import org.apache.beam.sdk.extensions.sql.meta.Table;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.RelNode;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.TableModify;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.TableScan;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.jspecify.annotations.Nullable;

/**
 * One shell's settings and its JDBC connection: Beam's {@code jdbc:beam:} connection over the
 * catalog, with Freshet's planner rules and functions installed ({@link
 * FreshetQueryPlanner#installInJdbc}), behind a proxy that runs the shell's own statements ({@code
 * SET;}, {@code SET runner}, {@code SET endpoint}, {@code SET verbose}, {@code SHOW JOBS}, {@code
 * STOP JOB}), runs statements over followed tables itself ({@link StreamingQuery}, {@link
 * ShellJobs}) and turns errors into one line.
 */
final class ShellSession {
  private static final Pattern SHOW = Pattern.compile("(?is)\\s*SET\\s*;?\\s*");
  private static final Pattern SET = Pattern.compile("(?is)\\s*SET\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.*?)\\s*;?\\s*");
  private static final Pattern QUERY = Pattern.compile("(?is)\\s*(SELECT|WITH)\\b.*");
  private static final Pattern INSERT = Pattern.compile("(?is)\\s*INSERT\\s+INTO\\b.*");
  private static final Pattern SHOW_JOBS = Pattern.compile("(?is)\\s*SHOW\\s+JOBS\\s*;?\\s*");
  private static final Pattern STOP_JOB = Pattern.compile("(?is)\\s*STOP\\s+JOB\\s+'?([A-Za-z0-9_.-]+)'?\\s*;?\\s*");

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
  private final Consumer<Boolean> setIncremental;
  private final List<Path> clusterJars;
  private final ShellJobs jobs;
  private URI endpoint;
  private @Nullable JdbcConnection connection;
  private int failures;

  /**
   * A session whose verbose mode is sqlline's ({@code --verbose}, {@code !set verbose}), read with
   * {@code verbose} and set by {@code SET verbose = ...} with {@code setVerbose}; {@code
   * setIncremental} switches sqlline's incremental printing (on for a streaming {@code SELECT});
   * {@code clusterJars} are staged with jobs submitted to a Flink cluster.
   */
  ShellSession(FreshetSql sql, Path dataDir, BooleanSupplier verbose, Consumer<Boolean> setVerbose,
      Consumer<Boolean> setIncremental, List<Path> clusterJars) {
    this.sql = sql;
    this.endpoint = StreamClients.endpointOf(dataDir);
    // Jobs are recorded in <data-dir>/sql/jobs, where the server's console lists them.
    this.jobs = new ShellJobs(JobJournal.folder(dataDir));
    this.verbose = verbose;
    this.setVerbose = setVerbose;
    this.setIncremental = setIncremental;
    this.clusterJars = List.copyOf(clusterJars);
  }

  /** Cancels the queries and jobs that run in this process (jobs on a Flink cluster keep running). */
  void close() {
    jobs.close();
  }

  /** Beam's connection over the catalog, wrapped; sqlline calls this once per {@code !connect}. */
  Connection connect() {
    connection = JdbcDriver.connect(sql.catalog(), PipelineOptionsFactory.create());
    // Statements Beam's driver runs (over snapshot tables) plan with Freshet's rules and functions
    // too: Top-N per window and GROUP BY CUMULATE(...), as in FreshetSql.
    FreshetQueryPlanner.installInJdbc(connection);
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
    if (SHOW_JOBS.matcher(statement).matches()) {
      return TextResultSet.of(ShellJobs.COLUMNS, jobs.rows());
    }
    Matcher stop = STOP_JOB.matcher(statement);
    if (stop.matches()) {
      String id = stop.group(1);
      String master = beamSchema().getPipelineOptions().get("flinkMaster");
      return TextResultSet.of(List.of("id", "state"), List.of(List.of(id,
          jobs.stop(id, master == null || master.startsWith("[") ? null : master))));
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

  /**
   * Plans a {@code SELECT} or {@code INSERT INTO}; when it reads a followed (unbounded) table, runs it
   * the shell's way: a {@code SELECT} streams its rows ({@code running} receives the query, for
   * Ctrl-C), an {@code INSERT} starts a background job. Null when Beam's driver should run it.
   */
  @Nullable ResultSet runUnbounded(String statement, Consumer<StreamingQuery> running) throws SQLException {
    boolean query = QUERY.matcher(statement).matches();
    if (!query && !INSERT.matcher(statement).matches()) {
      setIncremental.accept(false);
      return null;
    }
    PipelineOptions options = pipelineOptions();
    BeamRelNode node;
    try {
      node = sql.env(options).parseQuery(statement);
    } catch (RuntimeException e) {
      // Beam's driver plans it again and reports the error (with line and column), or runs what
      // only its connection knows (the metadata schema).
      setIncremental.accept(false);
      return null;
    }
    if (node.isBounded() == PCollection.IsBounded.BOUNDED) {
      setIncremental.accept(false);
      return null;
    }
    String runner = runnerName(options);
    if (query) {
      if (!runner.equals("direct")) {
        throw new SQLException("a SELECT over a followed table prints its rows on the Direct runner "
            + "(SET runner = direct); on Flink, INSERT INTO a table");
      }
      long limit = -1;
      if (node instanceof BeamSortRel sort && sort.isLimitOnly()) {
        limit = sort.getCount();
        node = BeamSqlRelUtils.getBeamRelInput(sort.getInput());
      } else if (node instanceof BeamCalcRel calc
          && BeamSqlRelUtils.getBeamRelInput(calc.getInput()) instanceof BeamSortRel sort && sort.isLimitOnly()) {
        limit = sort.getCount();
      }
      StreamingQuery streaming = startQuery(node, options, limit);
      running.accept(streaming);
      // Rows are printed as they come, not once the query ends.
      setIncremental.accept(true);
      return streaming.resultSet();
    }
    setIncremental.accept(false);
    if (runner.startsWith("flink ")) {
      checkReachableFromCluster(node);
    }
    ShellJobs.Job job;
    try {
      job = jobs.start(statement, node, options, runner);
    } catch (RuntimeException e) {
      throw ShellErrors.oneLine(e, verbose());
    }
    List<String> columns = List.of("job_id", "runner", "flink_job_id");
    return TextResultSet.of(columns, List.of(List.of(job.id(), job.runner(),
        job.flinkJobId() == null ? "" : job.flinkJobId())));
  }

  /**
   * Refuses a job for a Flink cluster that reads or writes a {@code kinesis} table with a {@code
   * file:} endpoint (its own {@code endpoint} property, or the shell's default when it names none):
   * the cluster's TaskManagers are other processes, and two processes must not open one data
   * folder's store (nothing locks it across processes), so they reach streams through a server.
   */
  private void checkReachableFromCluster(RelNode node) throws SQLException {
    if (node instanceof TableScan || node instanceof TableModify) {
      List<String> name = node.getTable().getQualifiedName();
      Table table = sql.catalog().getTables().get(name.get(name.size() - 1));
      if (table != null && table.getType().equalsIgnoreCase(KinesisTableProvider.TABLE_TYPE)) {
        JsonNode own = table.getProperties().get("endpoint");
        String uri = own != null && own.isTextual() ? own.asText() : endpoint.toString();
        if (uri.regionMatches(true, 0, "file:", 0, 5)) {
          throw new SQLException("a Flink cluster's TaskManagers reach streams through a server, but table "
              + table.getName() + " has the endpoint " + uri + (own != null ? " (its endpoint property)" : "")
              + ": start freshet server and SET endpoint = 'http://localhost:4567' (or name an http: endpoint "
              + "in the table's properties)");
        }
      }
    }
    for (RelNode input : node.getInputs()) {
      checkReachableFromCluster(input);
    }
  }

  private StreamingQuery startQuery(BeamRelNode node, PipelineOptions options, long limit) throws SQLException {
    try {
      return StreamingQuery.start(node, options, limit);
    } catch (RuntimeException e) {
      throw ShellErrors.oneLine(e, verbose());
    }
  }

  /**
   * The options of a pipeline the shell runs itself: those set with {@code SET}, a pipeline that
   * returns once started (the Direct runner's {@code blockOnRun=false}, Flink's detached mode).
   */
  private PipelineOptions pipelineOptions() throws SQLException {
    Map<String, String> set = new TreeMap<>(beamSchema().getPipelineOptions());
    String runner = set.getOrDefault("runner", "DirectRunner");
    List<String> args = new java.util.ArrayList<>();
    set.forEach((name, value) -> args.add("--" + name + "=" + value));
    if (runner.equals("FlinkRunner")) {
      args.add("--streaming=true");
      args.add("--attachedMode=false");
      String master = set.get("flinkMaster");
      if (master != null && !master.startsWith("[")) {
        // A cluster: its TaskManagers are other processes, which get the classes of the job (Beam,
        // Beam SQL, Freshet) with it, and reach streams through a server (see checkReachable).
        if (clusterJars.isEmpty()) {
          throw new SQLException("no jars to send to the Flink cluster at " + master
              + ": run the shell from the distribution (./freshet sql)");
        }
        args.add("--filesToStage=" + String.join(",", clusterJars.stream().map(Path::toString).toList()));
      }
    } else {
      args.add("--blockOnRun=false");
    }
    try {
      PipelineOptions options = PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).withValidation().create();
      options.as(ApplicationNameOptions.class).setAppName("FreshetSqlShell");
      return options;
    } catch (RuntimeException e) {
      throw ShellErrors.oneLine(e, verbose());
    }
  }

  /** {@code direct}, {@code flink} (in this process) or {@code flink host:port} (a cluster). */
  private String runnerName(PipelineOptions options) throws SQLException {
    if (!options.getRunner().getSimpleName().equals("FlinkRunner")) {
      return "direct";
    }
    String address = beamSchema().getPipelineOptions().get("flinkMaster");
    return address == null || address.startsWith("[") ? "flink" : "flink " + address;
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
    private volatile @Nullable StreamingQuery running;

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
          if (own == null) {
            own = runUnbounded(statement, query -> running = query);
          }
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
      StreamingQuery query = running;
      if (query != null && (name.equals("cancel") || name.equals("close"))) {
        // Ctrl-C (sqlline's signal handler calls cancel) or the end of the statement: the query's
        // pipeline is cancelled, the shell goes on.
        query.cancel();
        if (name.equals("cancel")) {
          return null;
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
