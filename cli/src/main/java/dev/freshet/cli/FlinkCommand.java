package dev.freshet.cli;

import dev.freshet.runners.cluster.ClusterClasspath;
import dev.freshet.runners.cluster.ClusterException;
import dev.freshet.runners.cluster.ClusterProcess;
import dev.freshet.runners.cluster.ClusterSpec;
import dev.freshet.runners.cluster.FlinkCluster;
import dev.freshet.runners.cluster.FlinkRestClient;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code freshet flink start|status|stop|jobs|cancel}: a local Flink cluster in the data folder. */
@Command(
    name = "flink",
    description = "Start, inspect and stop a local Flink cluster (JobManager and TaskManagers as "
        + "separate processes, with the web UI).",
    mixinStandardHelpOptions = true,
    subcommands = {
      FlinkCommand.Start.class,
      FlinkCommand.Status.class,
      FlinkCommand.Stop.class,
      FlinkCommand.Jobs.class,
      FlinkCommand.Cancel.class
    })
final class FlinkCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing subcommand: start, status, stop, jobs or cancel");
  }

  /** The running cluster of the data folder, or a one-line error saying there is none. */
  static FlinkCluster running(CommandSpec spec) {
    Path dataDir = Freshet.root(spec).dataDir.toAbsolutePath().normalize();
    return FlinkCluster.find(dataDir)
        .orElseThrow(() -> new CliException(
            "no Flink cluster is running from " + dataDir + "; start one with freshet flink start"));
  }

  /**
   * The distribution's jar folder: {@code lib} beside the folder this class was loaded from
   * ({@code cli/target/freshet-cli.jar} or, in tests, {@code cli/target/classes}).
   */
  static Path libFolder() {
    try {
      Path codeSource =
          Path.of(FlinkCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return codeSource.getParent().resolve("lib");
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Start a JobManager and TaskManagers on localhost; waits until every slot has "
          + "registered and prints the web UI address.")
  static final class Start implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--taskmanagers", paramLabel = "N", defaultValue = "2",
        description = "TaskManager processes (default: ${DEFAULT-VALUE}).")
    int taskManagers;

    @Option(names = "--slots", paramLabel = "S", defaultValue = "2",
        description = "Task slots per TaskManager (default: ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--rest-port", paramLabel = "PORT", defaultValue = "8081",
        description = "REST API and web UI port (default: ${DEFAULT-VALUE}).")
    int restPort;

    @Option(names = "--rpc-port", paramLabel = "PORT", defaultValue = "6123",
        description = "JobManager RPC port (default: ${DEFAULT-VALUE}).")
    int rpcPort;

    @Override
    public Integer call() {
      Path dataDir = Freshet.root(spec).dataDir.toAbsolutePath().normalize();
      PrintWriter out = spec.commandLine().getOut();
      ClusterSpec clusterSpec;
      try {
        clusterSpec =
            ClusterSpec.builder(dataDir, ClusterClasspath.fromLibFolder(libFolder()))
                .setTaskManagers(taskManagers)
                .setSlotsPerTaskManager(slots)
                .setRestPort(restPort)
                .setRpcPort(rpcPort)
                .build();
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      long began = System.nanoTime();
      FlinkCluster cluster;
      try {
        cluster = FlinkCluster.start(clusterSpec);
      } catch (ClusterException e) {
        throw new CliException(e.getMessage(), e);
      }
      out.printf("Flink cluster started in %.1f s: 1 JobManager, %d TaskManagers, %d slots%n",
          (System.nanoTime() - began) / 1e9, taskManagers, taskManagers * slots);
      out.printf("web UI:  %s%n", cluster.webUi());
      out.printf("submit:  --runner=flink --flinkMaster=%s%n", cluster.flinkMaster());
      out.printf("logs:    %s%n", cluster.clusterDir().resolve("log"));
      out.printf("stop:    freshet flink stop --data-dir %s%n", dataDir);
      out.flush();
      return 0;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Show the cluster's processes, TaskManagers, slots and jobs.")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      FlinkCluster cluster = running(spec);
      PrintWriter out = spec.commandLine().getOut();
      out.printf("web UI: %s%n", cluster.webUi());
      for (ClusterProcess process : cluster.processes()) {
        out.printf("%-14s pid %-8d %s%n", process.role(), process.pid(),
            process.isAlive() ? "running" : "exited (log: " + process.log() + ")");
      }
      try {
        FlinkRestClient rest = cluster.rest();
        FlinkRestClient.Overview overview = rest.overview();
        out.printf("Flink %s: %d TaskManagers, %d slots (%d free), %d jobs running%n",
            overview.flinkVersion(), overview.taskManagers(), overview.slotsTotal(),
            overview.slotsAvailable(), overview.jobsRunning());
        for (FlinkRestClient.TaskManager tm : rest.taskManagers()) {
          out.printf("  taskmanager %s: %d slots, %d free%n", tm.id(), tm.slots(), tm.freeSlots());
        }
        printJobs(out, rest.jobs());
      } catch (ClusterException e) {
        throw new CliException(e.getMessage(), e);
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = "Stop the processes freshet flink start started: SIGTERM, then SIGKILL after "
          + "the timeout.")
  static final class Stop implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
        description = "How long to wait before killing (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() {
      FlinkCluster cluster = running(spec);
      List<String> killed = cluster.stop(Duration.ofSeconds(timeoutSeconds));
      PrintWriter out = spec.commandLine().getOut();
      out.printf("stopped the Flink cluster (%d processes)%s%n", cluster.processes().size(),
          killed.isEmpty() ? "" : "; killed after " + timeoutSeconds + " s: " + String.join(", ", killed));
      out.flush();
      return 0;
    }
  }

  @Command(name = "jobs", mixinStandardHelpOptions = true, description = "List the cluster's jobs.")
  static final class Jobs implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      FlinkCluster cluster = running(spec);
      try {
        printJobs(spec.commandLine().getOut(), cluster.rest().jobs());
      } catch (ClusterException e) {
        throw new CliException(e.getMessage(), e);
      }
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true,
      description = "Cancel a job; with --savepoint, stop it with a savepoint to resume from.")
  static final class Cancel implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB_ID", description = "The job's id (freshet flink jobs).")
    String jobId;

    @Option(names = "--savepoint",
        description = "Take a savepoint in the cluster's savepoints folder, then stop the job.")
    boolean savepoint;

    @Override
    public Integer call() {
      FlinkCluster cluster = running(spec);
      PrintWriter out = spec.commandLine().getOut();
      FlinkRestClient rest = cluster.rest();
      try {
        if (savepoint) {
          String location =
              rest.stopWithSavepoint(jobId, cluster.savepointsDir().toUri(), Duration.ofMinutes(5));
          out.printf("stopped job %s with a savepoint: %s%n", jobId, location);
          out.printf("resume with: --savepointPath=%s%n", location);
        } else {
          rest.cancel(jobId);
          out.printf("cancelled job %s%n", jobId);
        }
      } catch (ClusterException e) {
        throw new CliException(e.getMessage(), e);
      }
      out.flush();
      return 0;
    }
  }

  static void printJobs(PrintWriter out, List<FlinkRestClient.Job> jobs) {
    if (jobs.isEmpty()) {
      out.println("no jobs");
      return;
    }
    for (FlinkRestClient.Job job : jobs) {
      out.printf("%s  %-10s %8.1f s  %s%n", job.id(), job.state(), job.durationMillis() / 1000.0,
          job.name());
    }
  }
}
