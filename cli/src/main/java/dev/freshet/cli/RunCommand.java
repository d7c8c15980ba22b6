package dev.freshet.cli;

import dev.freshet.examples.Examples;
import dev.freshet.runners.FreshetPipelineOptions;
import dev.freshet.runners.Runners;
import dev.freshet.runners.cluster.ClusterException;
import dev.freshet.runners.cluster.FlinkRestClient;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code freshet run EXAMPLE [pipeline flags]}: runs one of the examples of the gallery ({@link
 * Examples}, documented in the repository's {@code examples/} folders) on the Direct runner, on
 * Flink in this process, or submitted to a Flink cluster with the job jar. {@code freshet run} alone
 * (or {@code --list}) lists them, one line each.
 *
 * <p>An example runs in three steps: it prepares (creates its streams, writes its generated input),
 * runs its pipeline and waits for it, and finishes (prints what the pipeline produced, or carries
 * it on: the agent of log-delivery, the PostgreSQL delivery of fraud-alerts).
 *
 * <p>Every flag this command does not know is a pipeline flag, handed to Beam as given ({@code
 * --runner flink} and {@code --runner=flink} alike). Without {@code --endpoint} the pipeline uses
 * the embedded store in {@code --data-dir}; a cluster's TaskManagers are other processes, so they
 * reach streams through a server ({@code --endpoint=http://localhost:4567}).
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
        "Run an example of the gallery (freshet run --list lists them; examples/README.md describes them).",
        "Other flags go to the pipeline: --runner=direct|flink, --flinkMaster=[local]|HOST:PORT, "
            + "--endpoint=file:DIR|http://HOST:PORT, --parallelism, --checkpointingInterval, "
            + "--savepointPath, and the example's own (--inputStream, --outputStream, ...)."
    })
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "EXAMPLE",
      description = "The example to run: ${COMPLETION-CANDIDATES}. Without it, the examples are listed.",
      completionCandidates = ExampleNames.class)
  String example;

  @Option(names = "--list", description = "List the examples, one line each, and exit.")
  boolean list;

  @Option(names = "--jobJar", paramLabel = "JAR",
      description = "The job jar a cluster runs (default: freshet-job.jar of this distribution).")
  Path jobJar;

  @Option(names = "--detached",
      description = "On a cluster: return once the job is submitted, printing its id.")
  boolean detached;

  @Unmatched List<String> pipelineArgs = new ArrayList<>();

  /** The examples' names, for the help. */
  static final class ExampleNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Examples.all().stream().map(Examples.Example::name).iterator();
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (list || example == null) {
      out.println("Examples (freshet run NAME [flags]; examples/README.md describes each):");
      out.print(Examples.listing());
      out.flush();
      return 0;
    }
    Examples.Example chosen = Examples.named(example).orElseThrow(() ->
        new CommandLine.ParameterException(spec.commandLine(),
            "unknown example '" + example + "'; the examples are: " + Examples.names()));
    PipelineOptionsFactory.register(chosen.options());
    FreshetPipelineOptions options;
    Optional<Pipeline> pipeline;
    try {
      List<String> args = beamArgs(pipelineArgs);
      if (args.stream().noneMatch(arg -> arg.startsWith("--endpoint="))) {
        args.add("--endpoint=" + Freshet.root(spec).dataDir.toAbsolutePath().normalize().toUri());
      }
      options = Runners.forExamples(args.toArray(String[]::new));
      Optional<URI> cluster = clusterOf(options);
      if (cluster.isPresent()) {
        prepareSubmission(options, chosen.name());
      } else if (detached) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--detached needs a cluster (--runner=flink --flinkMaster=HOST:PORT)");
      }
      chosen.program().prepare(options, out);
      out.flush();
      pipeline = chosen.program().pipeline(options);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    } catch (IllegalStateException | java.io.IOException | java.sql.SQLException e) {
      throw new CliException(chosen.name() + ": " + e.getMessage(), e);
    }

    long began = System.nanoTime();
    PipelineResult.State state = PipelineResult.State.DONE;
    if (pipeline.isPresent()) {
      PipelineResult result = pipeline.get().run();
      Optional<URI> cluster = clusterOf(options);
      if (detached) {
        String jobId = submittedJob(cluster.orElseThrow(), options.getJobName());
        out.printf("submitted %s as job %s (%s)%n", chosen.name(), jobId, options.getJobName());
        out.printf("web UI:  %s#/job/running%n", cluster.orElseThrow());
        out.flush();
        return 0;
      }
      state = result.waitUntilFinish();
    } else if (detached) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--detached: the example " + chosen.name() + " runs no pipeline");
    }
    if (state == PipelineResult.State.DONE) {
      try {
        chosen.program().finish(options, out);
      } catch (IllegalArgumentException | IllegalStateException | java.io.IOException | java.sql.SQLException e) {
        out.flush();
        throw new CliException(chosen.name() + ": " + e.getMessage(), e);
      }
    }
    out.printf("%s finished: %s in %.1f s%n", chosen.name(), state, (System.nanoTime() - began) / 1e9);
    out.flush();
    return state == PipelineResult.State.DONE ? 0 : 1;
  }

  /**
   * Stages the job jar, names the job (so a detached submission can be found by name) and checks
   * that the streams are reachable from other processes.
   */
  private void prepareSubmission(FreshetPipelineOptions options, String exampleName) {
    if ("file".equalsIgnoreCase(options.getEndpoint().getScheme())) {
      throw new CliException("a cluster's TaskManagers reach streams through a server: start "
          + "freshet server and add --endpoint=http://localhost:4567 (the endpoint was "
          + options.getEndpoint() + ")");
    }
    Path jar = (jobJar != null ? jobJar : FlinkCommand.libFolder().getParent().resolve("freshet-job.jar"))
        .toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new CliException("no job jar at " + jar + "; build it with mvn package or give --jobJar");
    }
    if (options.getFilesToStage() == null || options.getFilesToStage().isEmpty()) {
      options.setFilesToStage(List.of(jar.toString()));
    }
    if (!given(pipelineArgs, "jobName")) {
      options.setJobName("freshet-" + exampleName + "-" + System.currentTimeMillis());
    }
    options.setAttachedMode(!detached);
  }

  /** The REST address of the cluster the options submit to, or empty when Flink runs here. */
  private static Optional<URI> clusterOf(FreshetPipelineOptions options) {
    if (!Runners.isFlink(options)) {
      return Optional.empty();
    }
    String master = options.getFlinkMaster();
    if (master == null || master.startsWith("[")) {
      return Optional.empty(); // [local], [auto], [collection]: Flink in this JVM
    }
    String address = master.contains("://") ? master : "http://" + master;
    return Optional.of(URI.create(address.endsWith("/") ? address : address + "/"));
  }

  /** The id of the job the cluster lists under {@code jobName}; submission is asynchronous. */
  private static String submittedJob(URI cluster, String jobName) {
    FlinkRestClient rest = new FlinkRestClient(cluster);
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        Optional<FlinkRestClient.Job> job =
            rest.jobs().stream().filter(j -> j.name().equals(jobName)).findFirst();
        if (job.isPresent()) {
          return job.get().id();
        }
      } catch (ClusterException e) {
        throw new CliException(e.getMessage(), e);
      }
      if (System.nanoTime() > deadline) {
        throw new CliException("the cluster at " + cluster + " does not list job " + jobName
            + " 60 s after its submission");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted waiting for job " + jobName, e);
      }
    }
  }

  /**
   * Beam's form of the pipeline flags: {@code --name value} becomes {@code --name=value}; a flag
   * followed by another flag (or nothing) stays as it is, a boolean switched on.
   */
  static List<String> beamArgs(List<String> given) {
    List<String> args = new ArrayList<>();
    for (int i = 0; i < given.size(); i++) {
      String arg = given.get(i);
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("expected a --flag, but got: " + arg);
      }
      boolean valueFollows = !arg.contains("=") && i + 1 < given.size()
          && !given.get(i + 1).startsWith("--");
      args.add(valueFollows ? arg + "=" + given.get(++i) : arg);
    }
    return args;
  }

  private static boolean given(List<String> args, String name) {
    String flag = "--" + name;
    return args.stream().anyMatch(arg -> arg.equals(flag) || arg.toLowerCase(Locale.ROOT)
        .startsWith(flag.toLowerCase(Locale.ROOT) + "="));
  }
}
