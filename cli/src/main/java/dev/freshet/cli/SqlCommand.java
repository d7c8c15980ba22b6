package dev.freshet.cli;

import dev.freshet.runners.cluster.ClusterClasspath;
import dev.freshet.sdk.stream.StreamClients;
import dev.freshet.sql.shell.SqlShell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code freshet sql}: the SQL shell (sqlline over Beam's JDBC driver) on the data folder's catalog.
 * The shell itself is {@link SqlShell}; this command only parses options.
 */
@Command(
    name = "sql",
    description = {
      "The SQL shell: Beam SQL over the streams of the data folder, with its catalog in DIR/sql/catalog.",
      "sqlline commands work (!tables, !describe T, !outputformat csv, !help, !quit); "
          + "SET; shows the settings, SET runner = direct|flink, SET flinkMaster = 'HOST:PORT', "
          + "SET endpoint = 'URI', SET verbose = true.",
      "A SELECT over a followed stream prints rows as windows close, until LIMIT or Ctrl-C; "
          + "INSERT INTO starts a background job: SHOW JOBS, STOP JOB id."
    },
    mixinStandardHelpOptions = true)
final class SqlCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "-e", paramLabel = "SQL", description = "Run these statements (separated by ;) and exit.")
  @Nullable String execute;

  @Option(names = "-f", paramLabel = "FILE", description = "Run the statements in FILE and exit.")
  @Nullable Path script;

  @Option(names = "--outputformat", paramLabel = "FORMAT",
      description = "How rows are printed: table (default), vertical, csv, tsv, json, xmlattr, xmlelements.")
  @Nullable String outputFormat;

  @Option(names = "--verbose", description = "Print stack traces with errors, as SET verbose = true.")
  boolean verbose;

  @Override
  public Integer call() throws IOException {
    if (script != null && !Files.isReadable(script)) {
      throw new CliException("cannot read the script " + script);
    }
    Freshet root = Freshet.root(spec);
    // The store options (--durability, --throttling, --key-store) reach the shell's tables through
    // the store opened here: pipelines in this JVM share the one registered at the data folder's
    // file: endpoint.
    try (StreamClients.Lease store = StreamClients.register(StreamClients.endpointOf(root.dataDir), root.openStore())) {
      // sqlline reads the system terminal itself (null input), and its output goes where the
      // command's does, so that in-process callers capture it.
      return SqlShell.builder(root.dataDir)
          .execute(execute)
          .script(script)
          .outputFormat(outputFormat)
          .verbose(verbose)
          .clusterJars(ClusterClasspath.jobSideJars(FlinkCommand.libFolder()))
          .build()
          .run(null, new WriterOutputStream(spec.commandLine().getOut()),
              new WriterOutputStream(spec.commandLine().getErr()));
    }
  }
}
