package dev.freshet.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.runners.FreshetPipelineOptions;
import dev.freshet.runners.Runners;
import dev.freshet.runners.cluster.ClusterProcess;
import dev.freshet.runners.cluster.FlinkCluster;
import dev.freshet.runners.cluster.FlinkRestClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ToString;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local cluster end to end, through the {@code freshet flink} commands: start a JobManager and
 * a TaskManager, see the slots, run a batch job submitted as the job jar, see a streaming job in
 * the web UI (headless Chromium), stop it with a savepoint, resume it from there, cancel it, stop
 * the cluster, and find no process left.
 *
 * <p>The jobs use only Beam's own transforms: the cluster gets nothing but the job jar, which
 * holds Beam and the examples, not this test's classes.
 */
class FlinkClusterIT {
  private static final Path JOB_JAR = LocalClusterFixture.JOB_JAR;
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @TempDir Path dataDir;
  @TempDir Path work;

  @AfterEach
  void stopWhateverIsLeft() {
    // Even when an assertion failed midway: never leave JVMs behind on a shared machine.
    FlinkCluster.find(dataDir).ifPresent(cluster -> cluster.stop(Duration.ofSeconds(10)));
  }

  @Test
  void startSubmitWatchInTheWebUiCancelAndStop() throws Exception {
    assertThat(JOB_JAR).as("the job jar, built by mvn package").exists();
    assertThat(CHROMIUM).as("chromium (apt-get install chromium; .ci/run installs it)").exists();
    Cli cli = new Cli(dataDir);
    int[] ports = LocalClusterFixture.twoFreePorts();
    int restPort = ports[0];
    int rpcPort = ports[1];

    long began = System.nanoTime();
    Cli.Result start = cli.run("flink", "start", "--taskmanagers", 1, "--slots", 2,
        "--rest-port", restPort, "--rpc-port", rpcPort);
    assertThat(start.exitCode()).as(start.err()).isZero();
    System.out.printf("cluster start: %.1f s%n", (System.nanoTime() - began) / 1e9);
    assertThat(start.out()).contains("web UI:  http://localhost:" + restPort + "/");
    List<ClusterProcess> processes = FlinkCluster.find(dataDir).orElseThrow().processes();
    assertThat(processes).extracting(ClusterProcess::role).containsExactly("jobmanager", "taskmanager-1");

    Cli.Result again = cli.run("flink", "start", "--rest-port", restPort, "--rpc-port", rpcPort);
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("already running");

    Cli.Result status = cli.run("flink", "status");
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out()).contains("Flink 1.19.0: 1 TaskManagers, 2 slots (2 free), 0 jobs running");

    began = System.nanoTime();
    runBatchJob(restPort);
    System.out.printf("batch job submit to done: %.1f s%n", (System.nanoTime() - began) / 1e9);

    began = System.nanoTime();
    String jobId = startStreamingJob(restPort, "freshet-it-sequence");
    System.out.printf("streaming job submit to running: %.1f s%n", (System.nanoTime() - began) / 1e9);
    String page = chromiumDom("http://localhost:" + restPort + "/#/job/running");
    assertThat(page).contains("freshet-it-sequence").contains("RUNNING");

    began = System.nanoTime();
    Cli.Result savepoint = cli.run("flink", "cancel", jobId, "--savepoint");
    assertThat(savepoint.exitCode()).as(savepoint.err()).isZero();
    String location = savepoint.out().lines()
        .filter(line -> line.startsWith("resume with: --savepointPath="))
        .map(line -> line.substring("resume with: --savepointPath=".length()))
        .findFirst().orElseThrow(() -> new AssertionError(savepoint.out()));
    assertThat(location).contains(dataDir.resolve("flink").resolve("savepoints").toString());
    System.out.printf("stop with savepoint: %.1f s%n", (System.nanoTime() - began) / 1e9);

    String resumed = startStreamingJob(restPort, "freshet-it-resumed", "--savepointPath=" + location);
    Cli.Result cancel = cli.run("flink", "cancel", resumed);
    assertThat(cancel.exitCode()).as(cancel.err()).isZero();
    FlinkRestClient rest = FlinkCluster.find(dataDir).orElseThrow().rest();
    await("job " + resumed + " cancelled", Duration.ofSeconds(60),
        () -> rest.jobs().stream().anyMatch(j -> j.id().equals(resumed) && j.state().equals("CANCELED")));
    Cli.Result jobs = cli.run("flink", "jobs");
    assertThat(jobs.out())
        .contains(resumed).contains("CANCELED")
        .contains(jobId).contains("freshet-it-count").contains("FINISHED");

    began = System.nanoTime();
    Cli.Result stop = cli.run("flink", "stop");
    assertThat(stop.exitCode()).as(stop.err()).isZero();
    System.out.printf("cluster stop: %.1f s (%s)%n", (System.nanoTime() - began) / 1e9, stop.out().trim());
    for (ClusterProcess process : processes) {
      assertThat(ProcessHandle.of(process.pid()).map(ProcessHandle::isAlive))
          .as(process.role() + " pid " + process.pid()).isNotEqualTo(Optional.of(true));
    }
    assertThat(FlinkCluster.find(dataDir)).isEmpty();
    assertThat(cli.run("flink", "status").err()).contains("no Flink cluster is running");
  }

  private FreshetPipelineOptions clusterOptions(int restPort, String jobName, String... more) {
    List<String> args = new java.util.ArrayList<>(
        List.of("--runner=flink", "--flinkMaster=localhost:" + restPort, "--parallelism=2"));
    args.addAll(List.of(more));
    FreshetPipelineOptions options = Runners.configure(args.toArray(String[]::new));
    options.setFilesToStage(List.of(JOB_JAR.toAbsolutePath().toString()));
    options.setJobName(jobName);
    return options;
  }

  private void runBatchJob(int restPort) throws IOException {
    Path output = work.resolve("counts.txt");
    Pipeline pipeline = Pipeline.create(clusterOptions(restPort, "freshet-it-count"));
    pipeline
        .apply(Create.of("a", "b", "a", "c", "a"))
        .apply(Count.perElement())
        .apply(ToString.kvs(":"))
        .apply(TextIO.write().to(output.toString()).withoutSharding());

    PipelineResult.State state = pipeline.run().waitUntilFinish();

    assertThat(state).isEqualTo(PipelineResult.State.DONE);
    assertThat(Files.readAllLines(output, UTF_8)).containsExactlyInAnyOrder("a:3", "b:1", "c:1");
  }

  /** An endless job, submitted detached; returns its id once the cluster says it is RUNNING. */
  private String startStreamingJob(int restPort, String name, String... more) {
    FreshetPipelineOptions options = clusterOptions(restPort, name, more);
    options.setAttachedMode(false);
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply(GenerateSequence.from(0).withRate(10, org.joda.time.Duration.standardSeconds(1)))
        .apply(Window.into(FixedWindows.of(org.joda.time.Duration.standardSeconds(1))))
        .apply(Combine.globally(Count.<Long>combineFn()).withoutDefaults());
    pipeline.run();
    FlinkRestClient rest = FlinkCluster.find(dataDir).orElseThrow().rest();
    await(name + " submitted", Duration.ofSeconds(90),
        () -> rest.jobs().stream().anyMatch(j -> j.name().equals(name)));
    String id = rest.jobs().stream().filter(j -> j.name().equals(name)).findFirst().orElseThrow().id();
    await(name + " running", Duration.ofSeconds(90), () -> rest.tasksRunning(id));
    return id;
  }

  /** The web UI page after its scripts ran and fetched the REST API, as HTML. */
  private String chromiumDom(String url) throws IOException, InterruptedException {
    Path profile = Files.createDirectories(work.resolve("chromium"));
    Path dom = work.resolve("dom.html");
    Process chromium = new ProcessBuilder(
            CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--user-data-dir=" + profile, "--virtual-time-budget=15000",
            "--dump-dom", url)
        .redirectOutput(dom.toFile())
        .redirectError(work.resolve("chromium.log").toFile())
        .start();
    try {
      assertThat(chromium.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
    } finally {
      chromium.descendants().forEach(ProcessHandle::destroyForcibly);
      chromium.destroyForcibly();
    }
    return Files.readString(dom, UTF_8);
  }

  private static void await(String what, Duration timeout, Supplier<Boolean> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + timeout.toSeconds() + " s");
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

}
