package dev.freshet.sql.shell;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.sql.FreshetSql;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import sqlline.SqlLine;

/**
 * The {@code freshet sql} shell: sqlline over Beam's JDBC driver ({@code jdbc:beam:}), as Beam's
 * own SQL shell ({@code BeamSqlLine}), with the {@code kinesis} table type and the catalog of the
 * data folder.
 *
 * <pre>{@code
 * int status = SqlShell.builder(Path.of("/var/lib/freshet"))   // catalog in <dir>/sql/catalog
 *     .script(Path.of("report.sql"))                           // optional: -f; or .execute("...") for -e
 *     .outputFormat("csv")                                     // optional: table (default), csv, json, ...
 *     .build()
 *     .run(System.in, System.out, System.err);
 * }</pre>
 *
 * <p>Everything sqlline does works: history (kept in {@code <data-dir>/sql/history}), completion,
 * {@code !tables}, {@code !describe}, {@code !outputformat}. On top of Beam's {@code SET option =
 * value} of pipeline options, the shell knows {@code SET;} (show the settings), {@code SET runner =
 * direct|flink}, {@code SET endpoint = '<uri>'} (the endpoint of tables that name none) and {@code
 * SET verbose = true|false} (stack traces with errors). Errors are one line, naming the line and
 * column of a parse or validation error.
 *
 * <p>A {@code SELECT} over a bounded ({@code "read": "snapshot"}) table runs through Beam's driver
 * and prints its rows when its pipeline ends. Over a followed (unbounded) table the shell runs it
 * itself: rows are printed as windows close, until {@code LIMIT} or Ctrl-C, which cancels the
 * query's pipeline and gives the prompt back. {@code INSERT INTO} over a followed table starts a
 * background job; {@code SHOW JOBS} lists the jobs and {@code STOP JOB id} cancels one. In {@code
 * -e} and {@code -f} scripts, a line that starts with {@code !} (such as {@code !outputformat csv})
 * runs as a sqlline command.
 */
public final class SqlShell {
  /** The URL of the shell's connection; only the shell's own driver, registered in {@link #run}, accepts it. */
  static final String URL = "jdbc:freshet:shell";

  /** How wide tables of -e and -f statements may be, in characters. */
  private static final int SCRIPT_WIDTH = 1000;

  private final Path dataDir;
  private final @Nullable String execute;
  private final @Nullable Path script;
  private final @Nullable String outputFormat;
  private final boolean verbose;
  private final List<Path> clusterJars;

  private SqlShell(Builder builder) {
    this.dataDir = builder.dataDir;
    this.execute = builder.execute;
    this.script = builder.script;
    this.outputFormat = builder.outputFormat;
    this.verbose = builder.verbose;
    this.clusterJars = builder.clusterJars;
  }

  /** A shell over the data folder {@code dataDir}. */
  public static Builder builder(Path dataDir) {
    return new Builder(checkNotNull(dataDir, "dataDir"));
  }

  /** Options of a shell, as {@code freshet sql} parses them. */
  public static final class Builder {
    private final Path dataDir;
    private @Nullable String execute;
    private @Nullable Path script;
    private @Nullable String outputFormat;
    private boolean verbose;
    private List<Path> clusterJars = List.of();

    private Builder(Path dataDir) {
      this.dataDir = dataDir;
    }

    /** Runs these statements ({@code ;}-separated) and exits, as sqlline's {@code -e}. */
    public Builder execute(@Nullable String statements) {
      this.execute = statements;
      return this;
    }

    /** Runs this script and exits, as sqlline's {@code -f}. */
    public Builder script(@Nullable Path file) {
      this.script = file;
      return this;
    }

    /** sqlline's output format: table (the default), vertical, csv, tsv, json, xmlattr, xmlelements. */
    public Builder outputFormat(@Nullable String format) {
      this.outputFormat = format;
      return this;
    }

    /** Stack traces with errors, as {@code SET verbose = true}. */
    public Builder verbose(boolean verbose) {
      this.verbose = verbose;
      return this;
    }

    /**
     * The jars a Flink cluster gets with each job the shell submits to it ({@code SET flinkMaster =
     * 'host:port'}): the classes the cluster's own classpath lacks (Beam, Beam SQL, Freshet).
     */
    public Builder clusterJars(List<Path> jars) {
      this.clusterJars = List.copyOf(checkNotNull(jars, "jars"));
      return this;
    }

    public SqlShell build() {
      return new SqlShell(this);
    }
  }

  /**
   * Runs the shell until {@code !quit}, the end of {@code in} (null: the terminal), or the end of the {@code -e}
   * statements or the script.
   *
   * @return 0 when every statement succeeded, 1 otherwise
   */
  public int run(@Nullable InputStream in, OutputStream out, OutputStream err) throws IOException {
    FreshetSql sql = FreshetSql.open(dataDir);
    Path history = dataDir.resolve("sql/history");
    try {
      Files.createDirectories(history.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + history.getParent(), e);
    }
    SqlLine sqlLine = new ShellLine();
    sqlLine.setOutputStream(out);
    sqlLine.setErrorStream(err);
    ShellSession session = new ShellSession(sql, dataDir, () -> sqlLine.getOpts().getVerbose(),
        on -> sqlLine.getOpts().set("verbose", on.toString(), true),
        on -> sqlLine.getOpts().set("incremental", on.toString(), true), clusterJars);
    ShellDriver driver = new ShellDriver(session);
    try {
      DriverManager.registerDriver(driver);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot register the shell's JDBC driver", e);
    }
    String statements = execute;
    if (script != null) {
      // Run as -e statements are: sqlline's own -f echoes each statement after a prompt into the
      // output, which would mix with the rows of --outputformat csv.
      statements = Files.readString(script);
    }
    try {
      SqlLine.Status status = sqlLine.begin(arguments(history, statements).toArray(String[]::new), in, true);
      return status == SqlLine.Status.OK && session.failures() == 0 ? 0 : 1;
    } finally {
      session.close();
      try {
        DriverManager.deregisterDriver(driver);
      } catch (SQLException e) {
        err.write(("warning: " + e.getMessage() + System.lineSeparator()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
  }

  private List<String> arguments(Path history, @Nullable String statements) {
    List<String> args = new ArrayList<>(List.of(
        "-u", URL, "-n", "freshet", "-p", "", "-nn", "freshet",
        "--historyFile=" + history.toAbsolutePath(),
        "--isolation=TRANSACTION_NONE"));
    if (outputFormat != null) {
      args.add("--outputFormat=" + outputFormat);
    }
    // sqlline prints stack traces by default; the shell only in verbose mode.
    args.add("--verbose=" + verbose);
    if (statements != null) {
      // Without a terminal sqlline takes the width of its dumb terminal, 0, and prints empty tables.
      args.add("--maxWidth=" + SCRIPT_WIDTH);
      for (String command : commands(statements)) {
        args.add("-e");
        args.add(command);
      }
    }
    return args;
  }

  /**
   * The commands of a script or of {@code -e}, as sqlline runs them one {@code -e} each: a line that
   * starts with {@code !} between statements ({@code !outputformat csv}) is a command of its own;
   * the SQL between such lines is one command, which sqlline splits at {@code ;}.
   */
  static List<String> commands(String script) {
    List<String> commands = new ArrayList<>();
    StringBuilder sql = new StringBuilder();
    for (String line : script.split("\\R", -1)) {
      String pending = sql.toString().strip();
      if (line.strip().startsWith("!") && (pending.isEmpty() || pending.endsWith(";"))) {
        if (!pending.isEmpty()) {
          commands.add(pending);
        }
        sql.setLength(0);
        commands.add(line.strip());
      } else {
        sql.append(line).append('\n');
      }
    }
    String rest = sql.toString().strip();
    if (!rest.isEmpty()) {
      commands.add(rest);
    }
    return commands;
  }

  /**
   * sqlline, with errors of statements shown as their one line: sqlline prints the stack trace of
   * every error while it runs {@code -e} statements, whatever {@code verbose} says.
   */
  private static final class ShellLine extends SqlLine {
    @Override
    public void handleException(Throwable e) {
      if (e instanceof java.sql.SQLException && !getOpts().getVerbose()) {
        error("Error: " + e.getMessage());
        return;
      }
      super.handleException(e);
    }
  }
}
