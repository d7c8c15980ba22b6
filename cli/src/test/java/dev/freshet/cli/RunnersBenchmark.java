package dev.freshet.cli;

import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.StreamClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code windowed-count} example over the same input on three runners, one after the other in
 * one run: the Direct runner and Flink inside this JVM ({@code [local]}), both at parallelism 2,
 * and a local cluster of 2 TaskManagers x 2 slots at parallelism 2. Every run reads the same
 * 16-shard stream through the same in-process server ({@code http://127.0.0.1:PORT}), so the runner
 * is the only thing that changes, and each run's counts are checked to add up to the input.
 *
 * <p>Usage: {@code RunnersBenchmark SCRATCH_DIR JOB_JAR [records, default 5000000]}; run by {@code
 * bench/runners.sh}. Prints a table, then {@code runners.*} key=value lines. The time of a run is
 * end to end, as a user waits for {@code freshet run}: from submission (for the cluster: uploading
 * the job jar) to the job finished.
 */
public final class RunnersBenchmark {
  private static final int SHARDS = 16;
  private static final int KEYS = 1_000;

  private RunnersBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path scratch = Path.of(args[0]).toAbsolutePath();
    Path jobJar = Path.of(args[1]).toAbsolutePath();
    long records = args.length > 2 ? Long.parseLong(args[2]) : 5_000_000L;
    Path storeDir = Files.createDirectories(scratch.resolve("store"));
    Path clusterDir = Files.createDirectories(scratch.resolve("cluster"));
    Map<String, Double> rps = new LinkedHashMap<>();
    Map<String, Double> seconds = new LinkedHashMap<>();

    try (InProcessServer server = new InProcessServer(storeDir)) {
      long began = System.nanoTime();
      fill(server.store(), records);
      double fillSeconds = (System.nanoTime() - began) / 1e9;
      System.out.printf("filled events: %,d records in %.1f s (%,.0f records/s)%n",
          records, fillSeconds, records / fillSeconds);

      List<Object> common = List.of("--inputStream", "events", "--maxRecords", records,
          "--windowSeconds", 10, "--endpoint", server.endpoint());
      run(server.store(), "direct", common, List.of("--runner", "direct"), records, rps, seconds);
      run(server.store(), "flink_local", common,
          List.of("--runner", "flink", "--flinkMaster", "[local]", "--parallelism", 2),
          records, rps, seconds);

      Cli cluster = new Cli(clusterDir);
      int[] ports = LocalClusterFixture.twoFreePorts();
      int restPort = ports[0];
      Cli.Result start = cluster.run("flink", "start", "--taskmanagers", 2, "--slots", 2,
          "--rest-port", restPort, "--rpc-port", ports[1]);
      if (start.exitCode() != 0) {
        throw new IllegalStateException("the cluster did not start: " + start.err());
      }
      try {
        run(server.store(), "flink_cluster", common,
            List.of("--runner", "flink", "--flinkMaster", "localhost:" + restPort,
                "--parallelism", 2, "--jobJar", jobJar),
            records, rps, seconds);
      } finally {
        cluster.run("flink", "stop");
      }
    }

    System.out.println();
    System.out.printf("%-15s %10s %14s%n", "runner", "seconds", "records/s");
    rps.forEach((runner, value) ->
        System.out.printf("%-15s %10.1f %,14.0f%n", runner, seconds.get(runner), value));
    System.out.println();
    rps.forEach((runner, value) -> System.out.printf("runners.%s.rps=%.0f%n", runner, value));
    rps.forEach((runner, value) -> System.out.printf("runners.%s.s=%.1f%n", runner, seconds.get(runner)));
    System.out.printf("runners.ratio.flink_local.vs.direct=%.2f%n", rps.get("flink_local") / rps.get("direct"));
    System.out.printf("runners.ratio.flink_cluster.vs.direct=%.2f%n", rps.get("flink_cluster") / rps.get("direct"));
  }

  /** {@code records} records of 100 bytes under {@value #KEYS} partition keys, in PutRecords of 500. */
  private static void fill(StreamClient store, long records) {
    store.createStream(CreateStreamRequest.provisioned("events", SHARDS));
    byte[] data = new byte[100];
    ThreadLocalRandom.current().nextBytes(data);
    List<PutRecordsEntry> batch = new ArrayList<>(500);
    for (long n = 0; n < records; n++) {
      batch.add(PutRecordsEntry.of("key-" + (n % KEYS), data));
      if (batch.size() == 500 || n == records - 1) {
        PutRecordsResult result = store.putRecords("events", batch);
        if (result.failedRecordCount() > 0) {
          throw new IllegalStateException(result.failedRecordCount() + " records refused");
        }
        batch.clear();
      }
    }
  }

  private static void run(StreamClient store, String runner, List<Object> common, List<Object> flags,
      long records, Map<String, Double> rps, Map<String, Double> seconds) throws IOException {
    String output = "counts-" + runner.replace('_', '-');
    store.createStream(CreateStreamRequest.provisioned(output, 4));
    List<Object> args = new ArrayList<>(List.of("run", "windowed-count", "--outputStream", output));
    args.addAll(common);
    args.addAll(flags);
    Path dataDir = Files.createTempDirectory("freshet-bench-run");
    System.out.printf("== %s%n", runner);
    Cli.Result result = new Cli(dataDir).run(args.toArray());
    if (result.exitCode() != 0) {
      throw new IllegalStateException(runner + " failed: " + result.err() + result.out());
    }
    String line = result.out().lines().filter(l -> l.startsWith("windowed-count finished: DONE in "))
        .findFirst().orElseThrow(() -> new IllegalStateException(result.out()));
    double took = Double.parseDouble(line.replaceAll(".* in ([0-9.]+) s", "$1"));
    long counted = StreamContents.payloads(store, output).stream()
        .mapToLong(count -> Long.parseLong(count.substring(count.lastIndexOf(' ') + 1))).sum();
    if (counted != records) {
      throw new IllegalStateException(runner + " counted " + counted + " records of " + records);
    }
    System.out.printf("%s: %,d records counted in %.1f s%n", runner, counted, took);
    seconds.put(runner, took);
    rps.put(runner, records / took);
  }

}
