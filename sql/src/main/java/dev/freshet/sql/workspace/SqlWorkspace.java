package dev.freshet.sql.workspace;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.sdk.stream.StreamClients;
import dev.freshet.sql.FreshetSql;
import dev.freshet.sql.shell.FlinkRest;
import dev.freshet.sql.shell.JobJournal;
import dev.freshet.sql.shell.ShellErrors;
import dev.freshet.sql.shell.ShellJobs;
import dev.freshet.sql.window.FreshetQueryPlanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.sql.impl.BeamSqlEnv;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamRelNode;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamSqlRelUtils;
import org.apache.beam.sdk.extensions.sql.impl.utils.CalciteUtils;
import org.apache.beam.sdk.extensions.sql.meta.Table;
import org.apache.beam.sdk.options.ApplicationNameOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.TableModify;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SQL session for a long-running process, such as {@code freshet server}'s console: the tables of
 * a data folder's SQL catalog, bounded snapshot queries whose rows come back as values, and {@code
 * INSERT INTO ... SELECT} statements run as background jobs with their state and output rate.
 *
 * <pre>{@code
 * // In the server: the store is open and registered under its file: endpoint, so pipelines here use it.
 * try (StreamClients.Lease lease = StreamClients.register(StreamClients.endpointOf(dataDir), store);
 *      SqlWorkspace sql = SqlWorkspace.open(dataDir, StreamClients.endpointOf(dataDir))) {
 *   sql.tables();                                       // name, type, columns, location, properties
 *   sql.query("SELECT page, COUNT(*) AS views FROM clicks GROUP BY page", 1000, Duration.ofSeconds(30));
 *   String id = sql.submit("INSERT INTO top_pages SELECT ...");
 *   sql.jobs();                                         // state, rows written, rows per second
 *   sql.stop(id);
 * }
 * }</pre>
 *
 * <p><b>Catalog.</b> The catalog is {@code <data-dir>/sql/catalog}, the one {@code freshet sql}
 * uses ({@link FreshetSql#CATALOG_FOLDER}). It is read again whenever its files change, so tables
 * created or dropped in a shell in another process show up here at the next call. The workspace
 * only reads the catalog: {@code CREATE} and {@code DROP} are refused, and tables are made with
 * {@code freshet sql} (or {@link FreshetSql#execute}). Tables that name no {@code endpoint} read and
 * write the endpoint given here: in the server that is the {@code file:} endpoint of its data folder,
 * under which the server's already open store is registered ({@link StreamClients#register}), so
 * the pipelines of this process share it rather than opening the folder a second time.
 *
 * <p><b>Queries</b> ({@link #query}) are {@code SELECT} (or {@code WITH ... SELECT}) statements. They
 * read every {@code kinesis} table as a snapshot, whatever its {@code read} property says: what the
 * stream holds when the query is built, from the trim horizon, and then they end; so {@code GROUP BY}
 * without a window works, as over the shell's {@code "read": "snapshot"} tables. They always run on
 * the Direct runner in this process, at most {@code timeout} long (then they are cancelled), and keep
 * at most {@code maxRows} rows (the query is cancelled as soon as a row more comes, and the result
 * says {@code truncated}). Values are JSON-friendly ({@link QueryResult#rows()}).
 *
 * <p><b>Jobs</b> ({@link #submit}) run on the workspace's runner ({@link Builder#runner}): the Direct
 * runner by default, Flink in this process, or a Flink cluster. They are the shell's background jobs
 * ({@link ShellJobs}): each counts the rows that reach its sink, and {@link #jobs} reports that count
 * and the rate over the last {@value #RATE_WINDOW_SECONDS} seconds (sampled once a second and at
 * each {@link #jobs} call; a new job starts from 0 rows). Jobs in
 * this process end with the workspace ({@link #close}); a job on a Flink cluster keeps running there.
 * Jobs that {@code freshet sql} shells started (in other processes) are listed too: shells record
 * their jobs in {@code <data-dir>/sql/jobs} once a second ({@link JobJournal}), and their ids here are
 * {@code <job id>@<shell>}. While the shell runs, its record is the job's state and rows written; once
 * it has exited, a job on a Flink cluster is asked about through the cluster's REST API, and a job
 * that ran in the shell's process ended with it. Only the shell can stop its Direct jobs; a cluster
 * job can be stopped here (through the REST API).
 *
 * <p><b>Errors.</b> A statement that is wrong throws {@link IllegalArgumentException} with a one-line
 * message, as the shell prints it: {@code parse error at line 2, column 7: Encountered "meters"},
 * {@code error at line 1, column 8: Column 'metre' not found in any table}, or a refusal that names
 * the statement ({@code INSERT statements are not queries: ...}). A query that does not finish in
 * time throws {@link IllegalStateException}.
 *
 * <p>Thread-safe: a console may call it from several request threads.
 */
public final class SqlWorkspace implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SqlWorkspace.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LEADING_COMMENT = Pattern.compile("(?s)\\A\\s*(?:--[^\\n]*(?:\\n|\\z)|/\\*.*?\\*/)");
  private static final Pattern FIRST_WORD = Pattern.compile("\\A\\s*([A-Za-z_]+)");
  private static final Set<String> QUERIES = Set.of("SELECT", "WITH", "VALUES");
  private static final Set<String> DDL = Set.of("CREATE", "DROP", "ALTER");
  /** How far back {@link JobInfo#rowsPerSecond()} looks, in seconds. */
  public static final int RATE_WINDOW_SECONDS = 10;

  /** A column: its name and SQL type ({@code VARCHAR}, {@code BIGINT}, {@code TIMESTAMP}, ...). */
  public record Column(String name, String type) {}

  /**
   * A table of the catalog.
   *
   * @param name its name in SQL
   * @param type its table type: {@code kinesis}, {@code firehose}
   * @param columns its columns, in declared order
   * @param location its {@code LOCATION}: the stream (kinesis) or delivery stream (firehose); may be null
   * @param properties its {@code TBLPROPERTIES}, as JSON values
   * @param comment its {@code COMMENT}; may be null
   */
  public record TableInfo(String name, String type, List<Column> columns, @Nullable String location,
      Map<String, Object> properties, @Nullable String comment) {}

  /**
   * The result of a snapshot query.
   *
   * @param columns the result's columns
   * @param rows each row's values in column order: strings, numbers, booleans, null; {@code
   *     TIMESTAMP} values as ISO-8601 strings ({@code 2026-01-01T10:00:00.000Z}), {@code DATE} and
   *     {@code TIME} as ISO strings, {@code VARBINARY} as base64, arrays as lists, maps and rows as
   *     maps
   * @param truncated whether the query had more than {@code maxRows} rows (and was cut there)
   */
  public record QueryResult(List<Column> columns, List<List<Object>> rows, boolean truncated) {}

  /**
   * A job and what is known of it now.
   *
   * @param id its id ({@code job-1}, ...), for {@link #stop}
   * @param statement its {@code INSERT} statement, on one line
   * @param runner {@code direct}, {@code flink} (in this process) or {@code flink host:port}
   * @param state {@code RUNNING}, {@code DONE}, {@code FAILED}, {@code CANCELLED} (Beam's pipeline
   *     states; {@code UNKNOWN} when the runner cannot say)
   * @param failure why a {@code FAILED} job failed, on one line; null otherwise
   * @param started when it was started, to the second
   * @param rowsWritten rows that reached the table written so far; null when the runner does not
   *     report it while the job runs (it can stay null on Flink)
   * @param rowsPerSecond rows written per second over the last {@value #RATE_WINDOW_SECONDS} seconds
   *     while it runs (counted from 0 at submit), 0 once it ended; null when the runner does not
   *     report rows written
   * @param flinkJobId the id Flink gave it, if it runs on Flink
   * @param process null for a job submitted through this workspace; for a job a {@code freshet sql}
   *     shell started, that shell ({@code freshet sql (pid 4711)})
   */
  public record JobInfo(String id, String statement, String runner, String state, @Nullable String failure,
      Instant started, @Nullable Long rowsWritten, @Nullable Double rowsPerSecond, @Nullable String flinkJobId,
      @Nullable String process) {}

  /** How a workspace is made: {@link #builder(Path)}. */
  public static final class Builder {
    private final Path dataDir;
    private URI endpoint;
    private String runner = "direct";
    private List<Path> clusterJars = List.of();

    private Builder(Path dataDir) {
      this.dataDir = dataDir;
      this.endpoint = StreamClients.endpointOf(dataDir);
    }

    /**
     * The endpoint of tables that name none; default {@code file:<dataDir>} (the store of the data
     * folder, which must then be open in this process and registered, or free to be opened here).
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = checkNotNull(endpoint, "endpoint");
      checkArgument(endpoint.getScheme() != null, "endpoint must have a scheme (file:, http:, https:), but was: %s",
          endpoint);
      return this;
    }

    /**
     * The runner of jobs: {@code direct} (the default; in this process), {@code flink} (a Flink mini
     * cluster in this process) or {@code flink host:port} (a Flink cluster; tables must then reach
     * streams through a server, so the endpoint must be {@code http:} or {@code https:}). Queries
     * always run on the Direct runner. The runner's classes must be on the class path.
     */
    public Builder runner(String runner) {
      checkNotNull(runner, "runner");
      String normal = runner.strip().replaceAll("\\s+", " ");
      String lower = normal.toLowerCase(Locale.ROOT);
      checkArgument(lower.equals("direct") || lower.equals("flink") || lower.startsWith("flink "),
          "runner must be direct, flink or flink host:port, but was: %s", runner);
      this.runner = lower.startsWith("flink ") ? "flink " + normal.substring(6).strip() : lower;
      return this;
    }

    /** The jars sent with jobs to a Flink cluster (the distribution's {@code freshet-job.jar}). */
    public Builder clusterJars(List<Path> jars) {
      this.clusterJars = List.copyOf(checkNotNull(jars, "jars"));
      return this;
    }

    /** The workspace; it reads the catalog and starts nothing yet. */
    public SqlWorkspace build() {
      if (runner.startsWith("flink ")) {
        String scheme = endpoint.getScheme().toLowerCase(Locale.ROOT);
        checkArgument(!scheme.equals("file"), "jobs on the Flink cluster at %s reach streams through a server, "
            + "but the endpoint is %s: give the server's http: endpoint", runner.substring(6), endpoint);
        checkArgument(!clusterJars.isEmpty(), "no jars to send to the Flink cluster at %s: give clusterJars",
            runner.substring(6));
      }
      return new SqlWorkspace(this);
    }
  }

  private final Path catalogFolder;
  private final Path journalFolder;
  /** Cluster jobs of shells that are gone, as the cluster last said, for a few seconds: nanoTime and status. */
  private final Map<String, Map.Entry<Long, ShellJobs.Status>> clusterStates = new HashMap<>();
  private final URI endpoint;
  private final String runner;
  private final List<Path> clusterJars;
  private final ShellJobs jobs = new ShellJobs();
  private final Map<String, Deque<long[]>> samples = new HashMap<>();
  private final ScheduledExecutorService sampler;
  private @Nullable FreshetSql sql;
  private @Nullable Map<String, String> catalogVersion;

  private SqlWorkspace(Builder builder) {
    this.catalogFolder = builder.dataDir.toAbsolutePath().normalize().resolve(FreshetSql.CATALOG_FOLDER);
    this.journalFolder = JobJournal.folder(builder.dataDir);
    this.endpoint = builder.endpoint;
    this.runner = builder.runner;
    this.clusterJars = builder.clusterJars;
    catalog();
    this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "freshet-sql-workspace-rates");
      thread.setDaemon(true);
      return thread;
    });
    sampler.scheduleWithFixedDelay(this::sample, 1, 1, TimeUnit.SECONDS);
  }

  /** A workspace over {@code dataDir}'s catalog, with {@code endpoint} for tables that name none, on the Direct runner. */
  public static SqlWorkspace open(Path dataDir, URI endpoint) {
    return builder(dataDir).endpoint(endpoint).build();
  }

  /** A builder for a workspace over the catalog of the data folder {@code dataDir}. */
  public static Builder builder(Path dataDir) {
    return new Builder(checkNotNull(dataDir, "dataDir"));
  }

  /** The runner of jobs: {@code direct}, {@code flink} or {@code flink host:port}. */
  public String runner() {
    return runner;
  }

  /** The endpoint of tables that name none. */
  public URI endpoint() {
    return endpoint;
  }

  /** Every table of the catalog, by name. */
  public List<TableInfo> tables() {
    List<TableInfo> tables = new ArrayList<>();
    for (Table table : new TreeMap<>(catalog().tables()).values()) {
      List<Column> columns = new ArrayList<>();
      for (Schema.Field field : table.getSchema().getFields()) {
        columns.add(new Column(field.getName(), SqlValues.sqlType(field.getType())));
      }
      Map<String, Object> properties = table.getProperties() == null ? Map.of()
          : JSON.convertValue(table.getProperties(), new TypeReference<Map<String, Object>>() {});
      tables.add(new TableInfo(table.getName(), table.getType(), List.copyOf(columns), table.getLocation(),
          properties, table.getComment()));
    }
    return tables;
  }

  /**
   * Runs a bounded snapshot query and returns its rows.
   *
   * @param statement a {@code SELECT} (or {@code WITH ... SELECT}); one trailing {@code ;} is allowed
   * @param maxRows how many rows to keep; with more, the query is cancelled and the result {@code truncated}
   * @param timeout how long the query may run; then it is cancelled
   * @throws IllegalArgumentException when the statement is not a query, does not parse or validate
   *     (the message names line and column), or fails while it runs
   * @throws IllegalStateException when it does not finish within {@code timeout}
   */
  public QueryResult query(String statement, int maxRows, Duration timeout) {
    checkNotNull(statement, "statement");
    checkNotNull(timeout, "timeout");
    checkArgument(maxRows >= 0, "maxRows must be at least 0, but was: %s", maxRows);
    checkArgument(!timeout.isNegative() && !timeout.isZero(), "timeout must be positive, but was: %s", timeout);
    String sqlText = withoutFinalSemicolon(statement);
    String keyword = firstKeyword(sqlText);
    if (!QUERIES.contains(keyword)) {
      throw new IllegalArgumentException(refusal(keyword));
    }
    PipelineOptions options = options("--runner=DirectRunner", "--blockOnRun=false", "--targetParallelism=2");
    BeamSqlEnv env = BeamSqlEnv.builder(new SnapshotTables(catalog().catalog())).setPipelineOptions(options)
        .setQueryPlannerClassName(FreshetQueryPlanner.class.getName()).build();
    BeamRelNode node;
    try {
      node = env.parseQuery(sqlText);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(ShellErrors.message(e), e);
    }
    if (node instanceof TableModify) {
      throw new IllegalArgumentException(refusal("INSERT"));
    }
    List<Column> columns = new ArrayList<>();
    for (Schema.Field field : CalciteUtils.toSchema(node.getRowType()).getFields()) {
      columns.add(new Column(field.getName(), SqlValues.sqlType(field.getType())));
    }
    String id = "console-query-" + UUID.randomUUID();
    ResultCollector.Result collected = ResultCollector.register(id, maxRows);
    try {
      Pipeline pipeline = Pipeline.create(options);
      try {
        // Building the pipeline can fail too: a table type that cannot be read (firehose) says so here.
        BeamSqlRelUtils.toPCollection(pipeline, node).apply("ToConsole", ParDo.of(new ResultCollector(id)));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(ShellErrors.message(e), e);
      }
      if (node.isBounded() != PCollection.IsBounded.BOUNDED) {
        throw new IllegalArgumentException("the query reads an unbounded table, which has no end to wait for: "
            + "query kinesis tables (read as snapshots here), or INSERT INTO a table as a job (submit)");
      }
      PipelineResult result;
      try {
        result = pipeline.run();
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(ShellErrors.message(e), e);
      }
      await(result, collected, timeout);
      List<List<Object>> rows = new ArrayList<>();
      for (Row row : collected.rows()) {
        rows.add(SqlValues.values(row));
      }
      return new QueryResult(List.copyOf(columns), rows, collected.truncated());
    } finally {
      ResultCollector.unregister(id);
    }
  }

  /** Waits for a query's pipeline to end, to fail, to have more rows than kept, or to run out of time. */
  private static void await(PipelineResult result, ResultCollector.Result collected, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      PipelineResult.State state;
      try {
        state = result.waitUntilFinish(org.joda.time.Duration.millis(100));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("the query failed: " + ShellErrors.message(e), e);
      }
      if (state == PipelineResult.State.FAILED) {
        throw new IllegalArgumentException("the query failed");
      }
      if (state != null && state.isTerminal()) {
        return;
      }
      if (collected.truncated()) {
        cancel(result);
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        cancel(result);
        throw new IllegalStateException("the query did not finish within " + timeout.toMillis()
            + " ms and was cancelled");
      }
    }
  }

  private static void cancel(PipelineResult result) {
    try {
      result.cancel();
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot cancel a console query's pipeline: {}", e.toString());
    }
  }

  /**
   * Starts an {@code INSERT INTO ... SELECT} as a background job on the workspace's runner and
   * returns its id. Over {@code follow} tables it runs until stopped; over {@code snapshot} tables it
   * ends by itself ({@code DONE}) once it has written everything.
   *
   * @throws IllegalArgumentException when the statement is not an {@code INSERT}, does not parse or
   *     validate (the message names line and column), or cannot be started
   */
  public String submit(String insertStatement) {
    checkNotNull(insertStatement, "insertStatement");
    String sqlText = withoutFinalSemicolon(insertStatement);
    String keyword = firstKeyword(sqlText);
    if (!keyword.equals("INSERT")) {
      throw new IllegalArgumentException((keyword.isEmpty() ? "an empty statement" : keyword + " statements")
          + " are not jobs: a job is an INSERT INTO ... SELECT"
          + (QUERIES.contains(keyword) ? "; run a SELECT as a query" : ""));
    }
    PipelineOptions options = jobOptions();
    BeamRelNode node;
    try {
      node = catalog().env(options).parseQuery(sqlText);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(ShellErrors.message(e), e);
    }
    checkArgument(node instanceof TableModify, "not an INSERT INTO ... SELECT: %s", sqlText);
    String id;
    try {
      id = jobs.submit(sqlText, node, options, runner);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot start the job: " + ShellErrors.message(e), e);
    }
    synchronized (samples) {
      // A new job has written nothing yet: the first sample of its rate.
      samples.computeIfAbsent(id, key -> new ArrayDeque<>()).addLast(new long[] {System.nanoTime(), 0});
    }
    return id;
  }

  /**
   * Every job: those submitted here, oldest first, then those {@code freshet sql} shells recorded in
   * {@code <data-dir>/sql/jobs} (see {@link JobJournal}), whose ids are {@code <job id>@<shell>}.
   */
  public List<JobInfo> jobs() {
    List<ShellJobs.Status> statuses = new ArrayList<>(jobs.statuses());
    Map<String, String> processes = new HashMap<>();
    for (JobJournal.Entry entry : JobJournal.read(journalFolder)) {
      ShellJobs.Status status = shellJob(entry);
      String id = status.id() + "@" + entry.session();
      statuses.add(new ShellJobs.Status(id, status.statement(), status.runner(), status.state(), status.failure(),
          status.started(), status.recordsOut(), status.flinkJobId()));
      processes.put(id, "freshet sql (pid " + entry.pid() + ")");
    }
    List<JobInfo> infos = new ArrayList<>();
    synchronized (samples) {
      record(statuses);
      for (ShellJobs.Status status : statuses) {
        infos.add(new JobInfo(status.id(), status.statement(), status.runner(), status.state(), status.failure(),
            status.started(), status.recordsOut(), rate(status), status.flinkJobId(), processes.get(status.id())));
      }
    }
    return infos;
  }

  /** A shell's job now; a cluster's answer about a job of a shell that is gone is kept for 5 seconds. */
  private ShellJobs.Status shellJob(JobJournal.Entry entry) {
    if (!JobJournal.onCluster(entry) || JobJournal.alive(entry)) {
      return JobJournal.current(entry);
    }
    String key = entry.session() + "/" + entry.id();
    synchronized (clusterStates) {
      Map.Entry<Long, ShellJobs.Status> known = clusterStates.get(key);
      if (known != null && System.nanoTime() - known.getKey() < TimeUnit.SECONDS.toNanos(5)) {
        return known.getValue();
      }
    }
    ShellJobs.Status status = JobJournal.current(entry);
    synchronized (clusterStates) {
      clusterStates.put(key, Map.entry(System.nanoTime(), status));
    }
    return status;
  }

  /**
   * Stops job {@code id} (cancels its pipeline, waiting up to 30 s for a final state) and returns it
   * as it is then: {@code CANCELLED}, or {@code DONE}/{@code FAILED} if it had ended already.
   *
   * @throws IllegalArgumentException when there is no such job
   */
  public JobInfo stop(String id) {
    checkNotNull(id, "id");
    if (jobs.status(id) != null) {
      try {
        jobs.stop(id, null);
      } catch (SQLException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      return jobs().stream().filter(job -> job.id().equals(id)).findFirst().orElseThrow();
    }
    JobJournal.Entry entry = JobJournal.read(journalFolder).stream()
        .filter(e -> id.equals(e.id() + "@" + e.session())).findFirst().orElse(null);
    checkArgument(entry != null, "no job %s; the jobs are: %s", id, jobs().stream().map(JobInfo::id).toList());
    checkArgument(JobJournal.onCluster(entry), "job %s runs in the freshet sql process %s, which alone can stop it: "
        + "STOP JOB %s there", id, entry.pid(), entry.id());
    String state;
    try {
      state = FlinkRest.cancel(entry.runner().substring("flink ".length()), entry.flinkJobId(), Duration.ofSeconds(30));
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    synchronized (clusterStates) {
      clusterStates.remove(entry.session() + "/" + entry.id());
    }
    JobInfo info = jobs().stream().filter(job -> job.id().equals(id)).findFirst().orElseThrow();
    return new JobInfo(info.id(), info.statement(), info.runner(), state, info.failure(), info.started(),
        info.rowsWritten(), state.equals("RUNNING") ? info.rowsPerSecond() : Double.valueOf(0), info.flinkJobId(),
        info.process());
  }

  /** Cancels the jobs that run in this process (jobs on a Flink cluster keep running) and stops sampling. */
  @Override
  public void close() {
    sampler.shutdownNow();
    jobs.close();
  }

  /**
   * Takes one sample of each running job's rows written, for {@link JobInfo#rowsPerSecond()}: once a
   * second, and whenever {@link #jobs} looks.
   */
  private void sample() {
    try {
      List<ShellJobs.Status> statuses = jobs.statuses();
      synchronized (samples) {
        record(statuses);
      }
    } catch (RuntimeException e) {
      LOG.debug("cannot sample the SQL jobs' rows written", e);
    }
  }

  /** Adds a sample per running job and forgets samples older than the window (keeping two at least). */
  private void record(List<ShellJobs.Status> statuses) {
    long now = System.nanoTime();
    for (ShellJobs.Status status : statuses) {
      if (!status.state().equals("RUNNING") || status.recordsOut() == null) {
        continue;
      }
      Deque<long[]> window = samples.computeIfAbsent(status.id(), id -> new ArrayDeque<>());
      window.addLast(new long[] {now, status.recordsOut()});
      while (window.size() > 2 && now - window.peekFirst()[0] > TimeUnit.SECONDS.toNanos(RATE_WINDOW_SECONDS)) {
        window.removeFirst();
      }
    }
  }

  private @Nullable Double rate(ShellJobs.Status status) {
    if (!status.state().equals("RUNNING")) {
      return status.state().equals("UNKNOWN") ? null : 0.0;
    }
    Deque<long[]> window = samples.get(status.id());
    if (window == null || window.size() < 2) {
      return null;
    }
    long[] first = window.peekFirst();
    long[] last = window.peekLast();
    double seconds = (last[0] - first[0]) / 1e9;
    return seconds <= 0 ? null : Math.max(0, last[1] - first[1]) / seconds;
  }

  /**
   * The catalog as it is on disk now: opened again when a file in its folder was added, removed or
   * changed since the last call, so tables a shell made in another process are seen.
   */
  private synchronized FreshetSql catalog() {
    Map<String, String> version = catalogVersion();
    if (sql == null || !version.equals(catalogVersion)) {
      sql = FreshetSql.open(catalogFolder, endpoint);
      catalogVersion = version;
    }
    return sql;
  }

  private Map<String, String> catalogVersion() {
    Map<String, String> version = new TreeMap<>();
    if (!Files.isDirectory(catalogFolder)) {
      return version;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(catalogFolder, "*.json")) {
      for (Path file : files) {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        version.put(file.getFileName().toString(), attributes.lastModifiedTime() + "/" + attributes.size()
            + "/" + attributes.fileKey());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the SQL catalog in " + catalogFolder, e);
    }
    return version;
  }

  /** The options of a job's pipeline: one that returns once started, on the workspace's runner. */
  private PipelineOptions jobOptions() {
    if (runner.equals("direct")) {
      return options("--runner=DirectRunner", "--blockOnRun=false");
    }
    List<String> args = new ArrayList<>(List.of("--runner=FlinkRunner", "--streaming=true", "--attachedMode=false"));
    if (runner.startsWith("flink ")) {
      args.add("--flinkMaster=" + runner.substring(6));
      args.add("--filesToStage=" + String.join(",", clusterJars.stream().map(Path::toString).toList()));
    }
    return options(args.toArray(String[]::new));
  }

  private static PipelineOptions options(String... args) {
    try {
      PipelineOptions options = PipelineOptionsFactory.fromArgs(args).withValidation().create();
      options.as(ApplicationNameOptions.class).setAppName("FreshetSqlConsole");
      return options;
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot make the pipeline options " + List.of(args) + ": " + e.getMessage()
          + " (is the runner on the class path?)", e);
    }
  }

  /** The first word of a statement, upper case, after leading comments; empty if none. */
  static String firstKeyword(String statement) {
    String rest = statement;
    Matcher comment;
    while ((comment = LEADING_COMMENT.matcher(rest)).lookingAt()) {
      rest = rest.substring(comment.end());
    }
    Matcher word = FIRST_WORD.matcher(rest);
    return word.lookingAt() ? word.group(1).toUpperCase(Locale.ROOT) : "";
  }

  private static String refusal(String keyword) {
    if (keyword.isEmpty()) {
      return "an empty statement is not a query: write a SELECT";
    }
    if (keyword.equals("INSERT")) {
      return "INSERT statements are not queries: run INSERT INTO ... SELECT as a job (submit); "
          + "queries are SELECT statements";
    }
    if (DDL.contains(keyword)) {
      return keyword + " statements change the catalog, which the console only reads: "
          + "create and drop tables with freshet sql; queries are SELECT statements";
    }
    return keyword + " statements are not queries: queries are SELECT (or WITH ... SELECT) statements";
  }

  private static String withoutFinalSemicolon(String statement) {
    String text = statement.strip();
    return text.endsWith(";") ? text.substring(0, text.length() - 1) : text;
  }
}
