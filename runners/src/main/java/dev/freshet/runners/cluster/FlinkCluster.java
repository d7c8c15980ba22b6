package dev.freshet.runners.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Flink session cluster: a JobManager and TaskManagers as separate JVMs on loopback,
 * started from jars already on this machine (no Flink download), with the web UI.
 *
 * <pre>{@code
 * FlinkCluster cluster = FlinkCluster.start(ClusterSpec.builder(dataDir, ClusterClasspath.fromLibFolder(lib)).build());
 * // submit with --runner=flink --flinkMaster=localhost:8081
 * cluster.stop(Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>The processes outlive the JVM that started them. Their pids, start times and the REST port
 * are recorded in {@code <data>/flink/cluster.json}, so another process ({@code freshet flink
 * stop}) can find and stop exactly them. Logs are in {@code <data>/flink/log}.
 */
public final class FlinkCluster {
  private static final Logger LOG = LoggerFactory.getLogger(FlinkCluster.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STATE_FILE = "cluster.json";

  private final Path clusterDir;
  private final int restPort;
  private final List<ClusterProcess> processes;

  private FlinkCluster(Path clusterDir, int restPort, List<ClusterProcess> processes) {
    this.clusterDir = clusterDir;
    this.restPort = restPort;
    this.processes = List.copyOf(processes);
  }

  /**
   * Starts the cluster and returns once every TaskManager's slots have registered with the
   * JobManager.
   *
   * @throws ClusterException when a cluster from this data folder is already running, a port is
   *     taken, or a process exits or does not register in time (its log is named); whatever was
   *     started is stopped again
   */
  public static FlinkCluster start(ClusterSpec spec) {
    Optional<FlinkCluster> running = find(spec.dataDir());
    if (running.isPresent()) {
      throw new ClusterException(
          "a Flink cluster from " + spec.dataDir() + " is already running (web UI "
              + running.get().webUi() + ", pids " + running.get().pids()
              + "); stop it with freshet flink stop");
    }
    checkPortFree(spec.restPort(), "rest/web UI");
    checkPortFree(spec.rpcPort(), "JobManager RPC");

    FlinkConf conf = new FlinkConf(spec);
    List<ClusterProcess> started = new ArrayList<>();
    FlinkCluster cluster = new FlinkCluster(spec.clusterDir(), spec.restPort(), started);
    try {
      conf.write();
      Path jmLog = conf.logDir().resolve("jobmanager.log");
      started.add(launch(conf, "jobmanager", FlinkConf.JOB_MANAGER_MAIN, conf.jobManagerCommand(jmLog), jmLog));
      for (int i = 1; i <= spec.taskManagers(); i++) {
        String role = "taskmanager-" + i;
        Path log = conf.logDir().resolve(role + ".log");
        started.add(launch(conf, role, FlinkConf.TASK_MANAGER_MAIN, conf.taskManagerCommand(log), log));
      }
      cluster = new FlinkCluster(spec.clusterDir(), spec.restPort(), started);
      cluster.writeState();
      cluster.awaitSlots(spec.taskManagers(), spec.taskManagers() * spec.slotsPerTaskManager(),
          spec.startTimeout());
      LOG.info("Flink cluster up: {} TaskManagers, web UI {}", spec.taskManagers(), cluster.webUi());
      return cluster;
    } catch (IOException e) {
      cluster.stop(Duration.ofSeconds(10));
      throw new UncheckedIOException("cannot write the cluster's files in " + spec.clusterDir(), e);
    } catch (RuntimeException e) {
      cluster.stop(Duration.ofSeconds(10));
      throw e;
    }
  }

  /** The cluster started from this data folder, if any of its processes is still running. */
  public static Optional<FlinkCluster> find(Path dataDir) {
    Path clusterDir = dataDir.toAbsolutePath().normalize().resolve("flink");
    Path state = clusterDir.resolve(STATE_FILE);
    if (!Files.exists(state)) {
      return Optional.empty();
    }
    FlinkCluster cluster = readState(clusterDir, state);
    if (cluster.processes.stream().noneMatch(ClusterProcess::isAlive)) {
      return Optional.empty(); // left over from a cluster that died or a machine that restarted
    }
    return Optional.of(cluster);
  }

  public URI webUi() {
    return URI.create("http://localhost:" + restPort + "/");
  }

  /** The {@code --flinkMaster} value for submitting to this cluster. */
  public String flinkMaster() {
    return "localhost:" + restPort;
  }

  public int restPort() {
    return restPort;
  }

  public FlinkRestClient rest() {
    return new FlinkRestClient(webUi());
  }

  public List<ClusterProcess> processes() {
    return processes;
  }

  public Path clusterDir() {
    return clusterDir;
  }

  /** Where {@code cancel --savepoint} writes savepoints (also Flink's state.savepoints.dir). */
  public Path savepointsDir() {
    return clusterDir.resolve("savepoints");
  }

  /**
   * Stops the processes this cluster started: SIGTERM to the TaskManagers and then the JobManager,
   * SIGKILL to any still running after {@code grace}. Processes that are gone, or whose pid now
   * belongs to another program, are left alone.
   *
   * @return the roles that had to be killed
   */
  public List<String> stop(Duration grace) {
    List<String> killed = new ArrayList<>();
    List<ClusterProcess> order = new ArrayList<>(processes);
    // TaskManagers first: a JobManager going first makes them retry and log reconnect errors.
    order.sort((a, b) -> Boolean.compare(a.role().equals("jobmanager"), b.role().equals("jobmanager")));
    for (ClusterProcess process : order) {
      process.handle().ifPresent(ProcessHandle::destroy);
    }
    long deadline = System.nanoTime() + grace.toNanos();
    for (ClusterProcess process : order) {
      Optional<ProcessHandle> handle = process.handle();
      if (handle.isEmpty()) {
        continue;
      }
      long left = Math.max(0, deadline - System.nanoTime());
      try {
        handle.get().onExit().get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        handle.get().destroyForcibly();
        killed.add(process.role());
        LOG.warn("{} (pid {}) did not stop within {} s; killed it", process.role(), process.pid(),
            grace.toSeconds());
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ClusterException("interrupted while stopping the cluster", e);
      }
    }
    for (ClusterProcess process : order) {
      process.handle().ifPresent(h -> h.onExit().join());
    }
    try {
      Files.deleteIfExists(clusterDir.resolve(STATE_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return killed;
  }

  private String pids() {
    return processes.stream()
        .filter(ClusterProcess::isAlive)
        .map(p -> Long.toString(p.pid()))
        .collect(Collectors.joining(", "));
  }

  private void awaitSlots(int taskManagers, int slots, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    FlinkRestClient rest = rest();
    String last = "the REST API did not answer";
    while (System.nanoTime() < deadline) {
      for (ClusterProcess process : processes) {
        if (!process.isAlive()) {
          throw new ClusterException(
              process.role() + " exited while the cluster was starting; its log is " + process.log()
                  + tail(process.log()));
        }
      }
      try {
        FlinkRestClient.Overview overview = rest.overview();
        if (overview.taskManagers() >= taskManagers && overview.slotsTotal() >= slots) {
          return;
        }
        last = overview.taskManagers() + " of " + taskManagers + " TaskManagers and "
            + overview.slotsTotal() + " of " + slots + " slots registered";
      } catch (ClusterException notYet) {
        // the JobManager's REST endpoint is not up yet
      }
      FlinkRestClient.sleep(Duration.ofMillis(500));
    }
    throw new ClusterException(
        "the cluster did not come up within " + timeout.toSeconds() + " s (" + last + "); logs are in "
            + clusterDir.resolve("log"));
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      List<String> last = lines.subList(Math.max(0, lines.size() - 15), lines.size());
      return "; it ends with:\n  " + String.join("\n  ", last);
    } catch (IOException e) {
      return "";
    }
  }

  private static ClusterProcess launch(
      FlinkConf conf, String role, String mainClass, List<String> command, Path log)
      throws IOException {
    Files.deleteIfExists(log);
    ProcessBuilder builder = new ProcessBuilder(command);
    // Run in the cluster folder, with its (empty) plugins folder: nothing resolves against the
    // caller's working directory.
    builder.directory(conf.clusterDir().toFile());
    builder.environment().put("FLINK_PLUGINS_DIR", conf.pluginsDir().toString());
    builder.environment().put("FLINK_CONF_DIR", conf.confDir().toString());
    Process process =
        builder
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    Instant started = process.info().startInstant().orElse(Instant.now());
    return new ClusterProcess(role, process.pid(), started, mainClass, log);
  }

  private static void checkPortFree(int port, String what) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
    } catch (IOException e) {
      throw new ClusterException(
          "port " + port + " (" + what + ") is in use on localhost: another Flink cluster or "
              + "program is listening there; stop it or choose other ports");
    }
  }

  private void writeState() throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("restPort", restPort);
    ArrayNode list = root.putArray("processes");
    for (ClusterProcess process : processes) {
      list.addObject()
          .put("role", process.role())
          .put("pid", process.pid())
          .put("started", process.started().toString())
          .put("mainClass", process.mainClass())
          .put("log", process.log().toString());
    }
    Path state = clusterDir.resolve(STATE_FILE);
    Path temp = clusterDir.resolve(STATE_FILE + ".tmp");
    JSON.writerWithDefaultPrettyPrinter().writeValue(temp.toFile(), root);
    Files.move(temp, state, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static FlinkCluster readState(Path clusterDir, Path state) {
    try {
      JsonNode root = JSON.readTree(state.toFile());
      List<ClusterProcess> processes = new ArrayList<>();
      for (JsonNode p : root.path("processes")) {
        processes.add(
            new ClusterProcess(
                p.path("role").asText(),
                p.path("pid").asLong(),
                Instant.parse(p.path("started").asText()),
                p.path("mainClass").asText(),
                Path.of(p.path("log").asText())));
      }
      return new FlinkCluster(clusterDir, root.path("restPort").asInt(), processes);
    } catch (IOException | RuntimeException e) {
      throw new ClusterException("cannot read " + state + " (delete it if no cluster is running): " + e, e);
    }
  }
}
