package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Preconditions;
import dev.freshet.runners.cluster.FlinkCluster;
import dev.freshet.sdk.stream.CreateStreamRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the local-cluster recovery tests share ({@code @RegisterExtension}): {@code freshet server}
 * in the test's JVM over a store with an {@code input} and an {@code output} stream, a producer that
 * keeps writing numbered records to the input, a cluster started with {@code freshet flink start},
 * and the {@code relay} example submitted to it with {@code freshet run --detached}.
 *
 * <p>After each test, passed or failed, it stops the cluster, keeps the cluster's logs in {@code
 * target/}, stops the producer and closes the server: never leave JVMs behind on a shared machine.
 */
final class LocalClusterFixture implements AfterEachCallback {
  /** The examples' job jar, copied beside the cli by {@code mvn package}. */
  static final Path JOB_JAR = Path.of("target", "freshet-job.jar");

  private final String test;
  private @Nullable InProcessServer server;
  private @Nullable NumberedProducer producer;
  private @Nullable Path dataDir;
  private @Nullable Cli cli;
  private int restPort;

  /** {@code test} names the folder in {@code target/} that keeps the cluster's logs. */
  LocalClusterFixture(String test) {
    this.test = test;
  }

  /**
   * Starts the server on {@code serverDir} with the streams {@code input} and {@code output}, and
   * puts the numbered records {@code 0 … prefilled-1} into the input.
   */
  InProcessServer startServer(Path serverDir, int inputShards, int outputShards, long prefilled) {
    Preconditions.checkState(server == null, "the server is already running");
    assertThat(JOB_JAR).as("the job jar, built by mvn package").exists();
    server = new InProcessServer(serverDir);
    server.store().createStream(CreateStreamRequest.provisioned("input", inputShards));
    server.store().createStream(CreateStreamRequest.provisioned("output", outputShards));
    StreamContents.putNumbered(server.store(), "input", 0, prefilled);
    return server;
  }

  /** Runs {@code freshet flink start} on {@code dataDir} on free loopback ports. */
  FlinkCluster startCluster(Path dataDir, int taskManagers, int slotsEach) throws IOException {
    Preconditions.checkState(cli == null, "the cluster is already started");
    this.dataDir = dataDir;
    this.cli = new Cli(dataDir);
    int[] ports = twoFreePorts();
    this.restPort = ports[0];
    Cli.Result start = cli.run("flink", "start", "--taskmanagers", taskManagers, "--slots", slotsEach,
        "--rest-port", restPort, "--rpc-port", ports[1]);
    assertThat(start.exitCode()).as(start.err()).isZero();
    return FlinkCluster.find(dataDir).orElseThrow();
  }

  /** The {@code freshet} command on the cluster's data folder. */
  Cli cli() {
    Preconditions.checkState(cli != null, "the cluster is not started");
    return cli;
  }

  /** Keeps writing numbered records to the input, from {@code first} on, at {@code perSecond}. */
  void startProducer(long first, int perSecond) {
    Preconditions.checkState(server != null && producer == null, "no server, or a producer already");
    producer = new NumberedProducer(server.store(), "input", first, perSecond);
  }

  /** Stops the producer and returns how many records the input holds in all. */
  long stopProducer() throws InterruptedException {
    Preconditions.checkState(producer != null, "no producer");
    return producer.stop();
  }

  /**
   * Submits the relay from {@code input} to {@code output} (parallelism 2, a checkpoint every
   * second) with any further options, detached, and returns its job id.
   */
  String submitRelay(Object... more) {
    Preconditions.checkState(server != null, "the server is not running");
    List<Object> args = new ArrayList<>(List.of("run", "relay", "--detached",
        "--jobJar", JOB_JAR.toAbsolutePath(),
        "--runner", "flink", "--flinkMaster", "localhost:" + restPort,
        "--endpoint", server.endpoint(), "--inputStream", "input", "--outputStream", "output",
        "--parallelism", 2, "--checkpointingInterval", 1000));
    args.addAll(List.of(more));
    Cli.Result run = cli().run(args.toArray());
    assertThat(run.exitCode()).as(run.err()).isZero();
    return run.out().lines().filter(line -> line.startsWith("submitted relay as job "))
        .map(line -> line.split(" ")[4]).findFirst().orElseThrow(() -> new AssertionError(run.out()));
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    try {
      if (dataDir != null) {
        FlinkCluster.find(dataDir).ifPresent(cluster -> cluster.stop(Duration.ofSeconds(10)));
        ClusterLogs.keep(dataDir, test);
      }
    } finally {
      try {
        if (producer != null) {
          producer.close();
        }
      } finally {
        if (server != null) {
          server.close();
        }
      }
    }
  }

  /**
   * Two different free TCP ports on the loopback interface, for a cluster's REST and RPC ports: both
   * sockets are held open while the ports are taken, so the kernel cannot hand out the same one twice
   * (it did once, and {@code freshet flink start} rightly refused).
   */
  static int[] twoFreePorts() throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (ServerSocket first = new ServerSocket(0, 1, loopback);
        ServerSocket second = new ServerSocket(0, 1, loopback)) {
      return new int[] {first.getLocalPort(), second.getLocalPort()};
    }
  }
}
