package dev.freshet.examples.bench;

import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.runners.Runners;
import dev.freshet.sdk.io.StreamIO;
import dev.freshet.sdk.io.StreamRecord;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.HashKeyRange;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.io.aws2.common.ClientConfiguration;
import org.apache.beam.sdk.io.aws2.kinesis.KinesisIO;
import org.apache.beam.sdk.io.aws2.kinesis.KinesisRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.kinesis.common.InitialPositionInStream;

/**
 * The harness of {@code bench/streamio.sh}: one phase per JVM, on a store folder the script keeps
 * between phases.
 *
 * <ul>
 *   <li>{@code write DIR N}: creates the 4-shard stream {@code bench} and writes N records of 100
 *       bytes into it with {@code StreamIO.write()} on Flink ([local], parallelism 2), an explicit
 *       hash key per record dealing them out evenly over the shards.
 *   <li>{@code read RUNNER ENDPOINT DIR N}: RUNNER {@code direct} or {@code flink}, ENDPOINT {@code
 *       file} (the embedded store) or {@code server} (a {@code freshet server} on loopback in this
 *       JVM): {@code StreamIO.read()} from the trim horizon until a stop time just past the last
 *       record, counting records in a DoFn.
 *   <li>{@code kinesisio DIR N}: the baseline, Beam's own {@code KinesisIO.read()} through the server
 *       on Flink, bounded by count (Beam divides the count evenly between splits, which is exact
 *       because the shards hold the same number of records).
 * </ul>
 *
 * <p>Throughput is records over the time from the first record seen to the last, so the runner's
 * start-up (a few seconds for Flink) is left out for every contender alike; the wall time from
 * {@code run()} is printed too. A read also prints the JVM's CPU time over the same span (every
 * thread: runner, reader, the in-process server), which a busy machine disturbs far less than
 * throughput. Each phase prints {@code key=value} lines and fails (exit 1) if a
 * count is wrong.
 *
 * <p>A read is also measured in its steady state, as JMH leaves out its warm-up iterations: from
 * the moment the first fifth of the records has been seen to the last record ({@code steady_rps},
 * {@code steady_cpu_ns_per_record}). The first fifth carries the JIT compiling the hot path and the
 * store indexing the segments it opened, fixed costs that weigh more on a faster read the shorter
 * it runs; the same rule holds for every contender.
 */
public final class StreamIOBenchmark {
  static final String STREAM = "bench";
  static final int SHARDS = 4;
  static final int RECORD_BYTES = 100;

  private static final LongAdder COUNT = new LongAdder();
  /** The fraction of the records that counts as warm-up for the steady-state figures. */
  private static final double WARM_UP = 0.2;
  /** Records seen so far, to find the bundle that ends the warm-up. */
  private static final java.util.concurrent.atomic.AtomicLong SEEN = new java.util.concurrent.atomic.AtomicLong();
  private static volatile long warmUpRecords = Long.MAX_VALUE;
  /** When the warm-up ended, the JVM's CPU time then, and how many records had been seen. */
  private static volatile long warmNanos;
  private static volatile long warmCpuNanos;
  private static volatile long warmCount = -1;
  private static final LongAccumulator FIRST_NANOS = new LongAccumulator(Math::min, Long.MAX_VALUE);
  private static final LongAccumulator LAST_NANOS = new LongAccumulator(Math::max, Long.MIN_VALUE);
  /** The JVM's CPU time (every thread: runner, reader, in-process server) at the same moments. */
  private static final LongAccumulator FIRST_CPU_NANOS = new LongAccumulator(Math::min, Long.MAX_VALUE);
  private static final LongAccumulator LAST_CPU_NANOS = new LongAccumulator(Math::max, Long.MIN_VALUE);
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  private StreamIOBenchmark() {}

  public static void main(String[] args) throws Exception {
    String phase = args[0];
    warmUpRecords = Math.round(Long.parseLong(args[args.length - 1]) * WARM_UP);
    switch (phase) {
      case "write" -> write(Path.of(args[1]), Long.parseLong(args[2]));
      case "read" -> read(args[1], args[2], Path.of(args[3]), Long.parseLong(args[4]));
      case "kinesisio" -> kinesisIo(Path.of(args[1]), Long.parseLong(args[2]));
      default -> throw new IllegalArgumentException("phase must be write, read or kinesisio, but was: " + phase);
    }
    System.exit(0);
  }

  /** Whether Beam metrics stay on in Flink ({@code -Dbench.metrics=true}); off by default, see below. */
  private static final boolean METRICS = Boolean.getBoolean("bench.metrics");

  /**
   * Flink in this JVM at parallelism 2, set up for throughput the same way for every contender:
   * no defensive copies between chained steps ({@code fasterCopy}) and, unless {@link #METRICS},
   * no Beam metrics. With metrics on, Beam's Flink runner rebuilds the metric results of the source
   * step after every {@code advance()}, once per record, which took about 40% of a StreamIO read's
   * CPU here; it costs every source alike, so the script measures StreamIO with it once more.
   */
  private static String[] flinkArgs(URI endpoint) {
    return new String[] {"--runner=flink", "--flinkMaster=[local]", "--streaming=true", "--parallelism=2",
        "--fasterCopy=true", "--autoWatermarkInterval=200", "--disableMetrics=" + !METRICS,
        "--endpoint=" + endpoint};
  }

  private static void write(Path dir, long records) {
    URI endpoint = StreamClients.endpointOf(dir);
    try (StreamClients.Lease lease = StreamClients.register(endpoint, LocalStreamStore.open(StoreConfig.builder(dir).build()))) {
      StreamClient client = lease.client();
      client.createStream(CreateStreamRequest.provisioned(STREAM, SHARDS));
      List<String> middles = shardMiddles();
      Pipeline pipeline = Pipeline.create(Runners.forExamples(flinkArgs(endpoint)));
      pipeline
          .apply(GenerateSequence.from(0).to(records))
          .apply(ParDo.of(new Observe<Long>()))
          .apply(StreamIO.<Long>write().withStream(STREAM).withEndpoint(endpoint)
              .withExplicitHashKey(i -> middles.get((int) (i % SHARDS)))
              .withSerializer(StreamIOBenchmark::payload));
      long started = System.nanoTime();
      PipelineResult.State state = pipeline.run().waitUntilFinish();
      long ended = System.nanoTime();
      check(state == PipelineResult.State.DONE, "the write job ended " + state);
      check(COUNT.sum() == records, "the write job saw " + COUNT.sum() + " of " + records + " records");
      report("write.flink", records, ended - started, ended - FIRST_NANOS.get());
    }
  }

  private static void read(String runner, String endpointKind, Path dir, long records) throws Exception {
    URI file = StreamClients.endpointOf(dir);
    try (StreamClients.Lease lease = StreamClients.register(file, LocalStreamStore.open(StoreConfig.builder(dir).build()));
        KinesisServer server = endpointKind.equals("server")
            ? KinesisServer.start(ServerConfig.builder().setPort(0).build(), lease.client()) : null) {
      URI endpoint = server != null ? server.endpoint() : file;
      String[] args = runner.equals("flink") ? flinkArgs(endpoint) : new String[] {"--runner=direct", "--endpoint=" + endpoint};
      Pipeline pipeline = Pipeline.create(Runners.forExamples(args));
      pipeline
          .apply(StreamIO.read().withStream(STREAM).withEndpoint(endpoint)
              .withStartingPosition(StartingPosition.trimHorizon())
              .withStopReadingAt(org.joda.time.Instant.now()))
          .apply(ParDo.of(new Observe<StreamRecord>()));
      measure(pipeline, records, runner + "." + endpointKind + (METRICS && runner.equals("flink") ? ".metrics" : ""));
    }
  }

  private static void kinesisIo(Path dir, long records) throws Exception {
    URI file = StreamClients.endpointOf(dir);
    try (StreamClients.Lease lease = StreamClients.register(file, LocalStreamStore.open(StoreConfig.builder(dir).build()));
        KinesisServer server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), lease.client())) {
      Pipeline pipeline = Pipeline.create(Runners.forExamples(flinkArgs(server.endpoint())));
      PCollection<KinesisRecord> read = pipeline.apply(KinesisIO.read()
          .withStreamName(STREAM)
          .withClientConfiguration(ClientConfiguration.builder()
              .endpoint(server.endpoint())
              .region(Region.US_EAST_1)
              .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
              .build())
          .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
          .withMaxNumRecords(records));
      read.apply(ParDo.of(new Observe<KinesisRecord>()));
      measure(pipeline, records, "kinesisio.flink.server" + (METRICS ? ".metrics" : ""));
    }
  }

  private static void measure(Pipeline pipeline, long records, String name) {
    long started = System.nanoTime();
    PipelineResult.State state = pipeline.run().waitUntilFinish();
    long ended = System.nanoTime();
    check(state == PipelineResult.State.DONE, name + " ended " + state);
    check(COUNT.sum() == records, name + " read " + COUNT.sum() + " of " + records + " records");
    report("read." + name, records, ended - started, LAST_NANOS.get() - FIRST_NANOS.get());
    long cpuNanos = LAST_CPU_NANOS.get() - FIRST_CPU_NANOS.get();
    System.out.printf("streamio.read.%s.cpu_s=%.2f%n", name, cpuNanos / 1e9);
    System.out.printf("streamio.read.%s.cpu_ns_per_record=%d%n", name, Math.round((double) cpuNanos / records));
    check(warmCount > 0, name + " never ended its warm-up");
    long steadyRecords = records - warmCount;
    System.out.printf("streamio.read.%s.steady_records=%d%n", name, steadyRecords);
    System.out.printf("streamio.read.%s.steady_rps=%d%n", name,
        Math.round(steadyRecords / ((LAST_NANOS.get() - warmNanos) / 1e9)));
    System.out.printf("streamio.read.%s.steady_cpu_ns_per_record=%d%n", name,
        Math.round((double) (LAST_CPU_NANOS.get() - warmCpuNanos) / steadyRecords));
  }

  private static void report(String name, long records, long wallNanos, long activeNanos) {
    System.out.printf("streamio.%s.records=%d%n", name, records);
    System.out.printf("streamio.%s.wall_s=%.2f%n", name, wallNanos / 1e9);
    System.out.printf("streamio.%s.active_s=%.2f%n", name, activeNanos / 1e9);
    System.out.printf("streamio.%s.rps=%d%n", name, Math.round(records / (activeNanos / 1e9)));
  }

  private static void check(boolean condition, String failure) {
    if (!condition) {
      System.err.println("FAILED: " + failure);
      System.exit(1);
    }
  }

  /** The middle of each shard's hash-key range, as the service splits them evenly at creation. */
  static List<String> shardMiddles() {
    BigInteger width = HashKeyRange.MAX_HASH_KEY.add(BigInteger.ONE).divide(BigInteger.valueOf(SHARDS));
    List<String> middles = new ArrayList<>();
    for (int i = 0; i < SHARDS; i++) {
      middles.add(width.multiply(BigInteger.valueOf(i)).add(width.shiftRight(1)).toString());
    }
    return middles;
  }

  /** 100 bytes: the record's number, then padding. */
  static byte[] payload(long i) {
    byte[] data = new byte[RECORD_BYTES];
    byte[] id = Long.toString(i).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(id, 0, data, 0, id.length);
    for (int b = id.length; b < RECORD_BYTES; b++) {
      data[b] = '.';
    }
    return data;
  }

  /**
   * Counts elements and notes the first and last moment it saw any, per bundle, so the shared
   * counters are touched once per bundle rather than once per element.
   */
  static final class Observe<T> extends DoFn<T, T> {
    private transient long bundleCount;
    private transient long bundleFirst;
    private transient long bundleFirstCpu;

    @StartBundle
    public void start() {
      bundleCount = 0;
      bundleFirst = 0;
    }

    @ProcessElement
    public void process(@Element T element, OutputReceiver<T> out) {
      if (bundleCount++ == 0) {
        bundleFirst = System.nanoTime();
        bundleFirstCpu = OS.getProcessCpuTime();
      }
      out.output(element);
    }

    @FinishBundle
    public void finish() {
      if (bundleCount > 0) {
        long seen = SEEN.addAndGet(bundleCount);
        if (seen >= warmUpRecords && seen - bundleCount < warmUpRecords) { // one bundle crosses it
          warmNanos = System.nanoTime();
          warmCpuNanos = OS.getProcessCpuTime();
          warmCount = seen;
        }
        COUNT.add(bundleCount);
        FIRST_NANOS.accumulate(bundleFirst);
        LAST_NANOS.accumulate(System.nanoTime());
        FIRST_CPU_NANOS.accumulate(bundleFirstCpu);
        LAST_CPU_NANOS.accumulate(OS.getProcessCpuTime());
      }
    }
  }
}
