package dev.freshet.kinesis.server;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * The client side of {@code bench/peers.sh}: one Kinesis endpoint driven exactly as the others, with
 * the AWS SDK v2 sync client over Apache HTTP/1.1 and JSON (CBOR off, which kinesalite needs).
 *
 * <ol>
 *   <li>A stream of 4 shards; 2 s of warm-up puts (not counted, same for every endpoint).
 *   <li>Put: 4 threads, each sending PutRecords batches of 500 records of 100 bytes with random
 *       partition keys for 10 s; records/s counts acknowledged records only.
 *   <li>Get: one thread per shard drains it from TRIM_HORIZON with GetRecords (limit 10,000)
 *       until a page is empty; records/s over all shards. Checks every acknowledged record came back.
 *   <li>Latency: 1,000 times, put one record and poll GetRecords on its shard (no sleep) until it
 *       appears; p50 and p99 of put-start to seen, so the p99 is the 990th of 1,000 samples. Each
 *       sample is also split into its PutRecord call and the polling after it, with the number of
 *       GetRecords calls, and the harness's own GC time during the phase is printed, so a tail can be
 *       told apart: the server's put path, records acknowledged before they are readable, or the
 *       harness (a GC of its own, or a poll that came back empty).
 * </ol>
 *
 * <p>Arguments: {@code <name> <endpoint> [server pid]}. Prints {@code peers.*.<name>=value} lines.
 * With the server's pid (Linux), it also prints the CPU time per record the server and this client
 * spent in the put and get phases: on a small machine both share the cores, so this shows which
 * side a throughput figure is bound by.
 */
public final class PeersBenchmark {
  private static final int SHARDS = 4;
  private static final int THREADS = 4;
  private static final int BATCH = 500;
  private static final int RECORD_BYTES = 100;
  private static final Duration PUT_TIME = Duration.ofSeconds(10);
  private static final Duration WARMUP_TIME = Duration.ofSeconds(2);
  private static final int LATENCY_SAMPLES = 1_000;
  /**
   * Unmeasured put-to-seen rounds first, for this long: the put and get phases never call
   * PutRecord, so without them the samples time the harness's own class loading and JIT
   * compilation of that path (a cold AWS SDK call takes milliseconds, and the compiler threads
   * compete for the machine's two cores) rather than the target. The same wall-clock warm-up for
   * every target, as JMH does.
   */
  private static final Duration LATENCY_WARMUP = Duration.ofSeconds(3);

  private PeersBenchmark() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("aws.cborEnabled", "false");
    String name = args[0];
    URI endpoint = URI.create(args[1]);
    long serverPid = args.length > 2 ? Long.parseLong(args[2]) : -1;
    try (KinesisClient kinesis = KinesisClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
        .httpClientBuilder(ApacheHttpClient.builder().maxConnections(THREADS * 2))
        .build()) {
      String stream = "peers-" + System.currentTimeMillis();
      kinesis.createStream(b -> b.streamName(stream).shardCount(SHARDS));
      awaitActive(kinesis, stream);

      long[] warmup = put(kinesis, stream, WARMUP_TIME);
      long[] cpu0 = cpuNanos(serverPid);
      long[] put = put(kinesis, stream, PUT_TIME);
      long[] cpu1 = cpuNanos(serverPid);
      double putRps = put[0] * 1e9 / put[1];
      long expected = warmup[0] + put[0];

      long[] get = drain(kinesis, stream);
      long[] cpu2 = cpuNanos(serverPid);
      double getRps = get[0] * 1e9 / get[1];
      if (get[0] != expected) {
        System.out.printf("WARNING %s: drained %d records, %d were acknowledged%n", name, get[0], expected);
      }

      // The put and drain phases leave the harness's heap full of garbage; collect it now so that
      // a collection of the client's making does not land among the latency samples.
      System.gc();
      long gc0 = gcMillis();
      Hiccups hiccups = Hiccups.start();
      Latencies measured = latencies(kinesis, stream);
      double[] stalls = hiccups.stop();
      long gcDuringLatency = gcMillis() - gc0;
      double[] latencies = measured.total;
      String prefix = "peers.";
      System.out.printf(Locale.ROOT, "%sput.rps.%s=%.0f%n", prefix, name, putRps);
      System.out.printf(Locale.ROOT, "%sget.rps.%s=%.0f%n", prefix, name, getRps);
      System.out.printf(Locale.ROOT, "%slatency.p50.ms.%s=%.2f%n", prefix, name, percentile(latencies, 50));
      System.out.printf(Locale.ROOT, "%slatency.p99.ms.%s=%.2f%n", prefix, name, percentile(latencies, 99));
      if (serverPid > 0) {
        System.out.printf(Locale.ROOT, "%scpu.us_per_record.put.server.%s=%.2f%n", prefix, name, (cpu1[0] - cpu0[0]) / 1e3 / put[0]);
        System.out.printf(Locale.ROOT, "%scpu.us_per_record.put.client.%s=%.2f%n", prefix, name, (cpu1[1] - cpu0[1]) / 1e3 / put[0]);
        System.out.printf(Locale.ROOT, "%scpu.us_per_record.get.server.%s=%.2f%n", prefix, name, (cpu2[0] - cpu1[0]) / 1e3 / get[0]);
        System.out.printf(Locale.ROOT, "%scpu.us_per_record.get.client.%s=%.2f%n", prefix, name, (cpu2[1] - cpu1[1]) / 1e3 / get[0]);
      }
      System.out.printf(Locale.ROOT, "%slatency.samples.%s=%d%n", prefix, name, latencies.length);
      System.out.printf(Locale.ROOT, "%slatency.put.p50.ms.%s=%.2f%n", prefix, name, percentile(measured.put, 50));
      System.out.printf(Locale.ROOT, "%slatency.put.p99.ms.%s=%.2f%n", prefix, name, percentile(measured.put, 99));
      System.out.printf(Locale.ROOT, "%slatency.poll.p50.ms.%s=%.2f%n", prefix, name, percentile(measured.poll, 50));
      System.out.printf(Locale.ROOT, "%slatency.poll.p99.ms.%s=%.2f%n", prefix, name, percentile(measured.poll, 99));
      System.out.printf(Locale.ROOT, "%slatency.samples_with_empty_polls.%s=%d%n", prefix, name,
          Arrays.stream(measured.polls).filter(n -> n > 1).count());
      System.out.printf(Locale.ROOT, "%slatency.harness_gc.ms.%s=%d%n", prefix, name, gcDuringLatency);
      System.out.printf(Locale.ROOT, "%slatency.window.epoch_ms.%s=%d-%d%n", prefix, name,
          measured.firstStartMillis, measured.lastEndMillis);
      // How late a thread of this JVM woke from a 1 ms sleep meanwhile: the machine's own scheduling
      // delay (as jHiccup measures it), which no server can be faster than.
      System.out.printf(Locale.ROOT, "%shiccup.p50.ms.%s=%.2f%n", prefix, name, percentile(stalls, 50));
      System.out.printf(Locale.ROOT, "%shiccup.p99.ms.%s=%.2f%n", prefix, name, percentile(stalls, 99));
      System.out.printf(Locale.ROOT, "%shiccup.max.ms.%s=%.2f%n", prefix, name, percentile(stalls, 100));
      // The slowest samples, each as total (put + poll, GetRecords calls).
      Integer[] order = new Integer[latencies.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Double.compare(latencies[b], latencies[a]));
      StringBuilder worst = new StringBuilder();
      for (int k = 0; k < 10; k++) {
        int i = order[k];
        worst.append(k == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f(%.2f+%.2f,%d)",
            latencies[i], measured.put[i], measured.poll[i], measured.polls[i]));
      }
      System.out.printf(Locale.ROOT, "%slatency.worst10.ms.%s=%s%n", prefix, name, worst);
      System.out.printf(Locale.ROOT, "%sput.records.%s=%d%n", prefix, name, put[0]);
      System.out.printf(Locale.ROOT, "%sput.failed.%s=%d%n", prefix, name, put[2]);
      System.out.printf(Locale.ROOT, "%sget.records.%s=%d%n", prefix, name, get[0]);
    }
  }

  /** {server process CPU nanos (0 without a pid), this process's CPU nanos}. */
  private static long[] cpuNanos(long serverPid) throws java.io.IOException {
    long server = 0;
    if (serverPid > 0) {
      // /proc/<pid>/stat: fields 14 and 15 are user and system time in clock ticks (100 per second
      // on Linux); the command name (field 2) may hold spaces, so count from the closing parenthesis.
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + serverPid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      server = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
    }
    long client = ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    return new long[] {server, client};
  }

  private static void awaitActive(KinesisClient kinesis, String stream) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (kinesis.describeStreamSummary(b -> b.streamName(stream)).streamDescriptionSummary()
        .streamStatus() != StreamStatus.ACTIVE) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("stream " + stream + " did not become ACTIVE in 30 s");
      }
      Thread.sleep(50);
    }
  }

  /** Returns {acknowledged records, elapsed nanos, failed entries}. */
  private static long[] put(KinesisClient kinesis, String stream, Duration duration) throws Exception {
    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    ExecutorService threads = Executors.newFixedThreadPool(THREADS, PeersBenchmark::daemon);
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      futures.add(threads.submit(() -> {
        byte[] data = new byte[RECORD_BYTES];
        while (System.nanoTime() < end) {
          List<PutRecordsRequestEntry> entries = new ArrayList<>(BATCH);
          for (int i = 0; i < BATCH; i++) {
            ThreadLocalRandom.current().nextBytes(data);
            entries.add(PutRecordsRequestEntry.builder()
                .partitionKey(Long.toHexString(ThreadLocalRandom.current().nextLong()))
                .data(SdkBytes.fromByteArray(data))
                .build());
          }
          PutRecordsResponse response = kinesis.putRecords(b -> b.streamName(stream).records(entries));
          int failures = response.failedRecordCount() == null ? 0 : response.failedRecordCount();
          acked.addAndGet(BATCH - failures);
          failed.addAndGet(failures);
        }
        return null;
      }));
    }
    for (Future<?> future : futures) {
      future.get();
    }
    long elapsed = System.nanoTime() - start;
    threads.shutdown();
    return new long[] {acked.get(), elapsed, failed.get()};
  }

  /** Returns {records read, elapsed nanos}. */
  private static long[] drain(KinesisClient kinesis, String stream) throws Exception {
    List<Shard> shards = kinesis.listShards(b -> b.streamName(stream)).shards();
    ExecutorService threads = Executors.newFixedThreadPool(shards.size(), PeersBenchmark::daemon);
    long start = System.nanoTime();
    List<Future<Long>> futures = new ArrayList<>();
    for (Shard shard : shards) {
      futures.add(threads.submit(() -> {
        String iterator = kinesis.getShardIterator(b -> b.streamName(stream).shardId(shard.shardId())
            .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        long read = 0;
        while (iterator != null) {
          String current = iterator;
          GetRecordsResponse page = kinesis.getRecords(b -> b.shardIterator(current).limit(10_000));
          if (page.records().isEmpty()) {
            break;
          }
          read += page.records().size();
          iterator = page.nextShardIterator();
        }
        return read;
      }));
    }
    long read = 0;
    for (Future<Long> future : futures) {
      read += future.get();
    }
    long elapsed = System.nanoTime() - start;
    threads.shutdown();
    return new long[] {read, elapsed};
  }

  /**
   * A thread that sleeps 1 ms at a time and records how much later than asked it woke up: the
   * time it waited for a core (or for a safepoint of this JVM), independent of any server.
   */
  private static final class Hiccups {
    private final Thread thread;
    private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
    private final java.util.List<Double> stalls = new java.util.ArrayList<>();

    private Hiccups() {
      thread = new Thread(() -> {
        while (running.get()) {
          long before = System.nanoTime();
          java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
          stalls.add(Math.max(0, System.nanoTime() - before - 1_000_000) / 1e6);
        }
      }, "hiccups");
      thread.setDaemon(true);
    }

    static Hiccups start() {
      Hiccups hiccups = new Hiccups();
      hiccups.thread.start();
      return hiccups;
    }

    double[] stop() throws InterruptedException {
      running.set(false);
      thread.join();
      return stalls.isEmpty() ? new double[] {0} : stalls.stream().mapToDouble(Double::doubleValue).toArray();
    }
  }

  /** Daemon threads, so that a failed call ends the harness instead of leaving its pool running. */
  private static Thread daemon(Runnable runnable) {
    Thread thread = new Thread(runnable);
    thread.setDaemon(true);
    return thread;
  }

  private static long gcMillis() {
    long total = 0;
    for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  /** Per sample: put-start to seen, the PutRecord call, the polling after it (ms), GetRecords calls. */
  private static final class Latencies {
    final double[] total = new double[LATENCY_SAMPLES];
    final double[] put = new double[LATENCY_SAMPLES];
    final double[] poll = new double[LATENCY_SAMPLES];
    final int[] polls = new int[LATENCY_SAMPLES];
    /** Wall-clock bounds of the measured samples (ms since the epoch), to match the server's logs. */
    long firstStartMillis;
    long lastEndMillis;
  }

  /** Put-to-seen latencies. */
  private static Latencies latencies(KinesisClient kinesis, String stream) {
    String key = "latency";
    PutRecordResponse first = kinesis.putRecord(b -> b.streamName(stream).partitionKey(key)
        .data(SdkBytes.fromUtf8String("first")));
    String iterator = kinesis.getShardIterator(b -> b.streamName(stream).shardId(first.shardId())
        .shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER)
        .startingSequenceNumber(first.sequenceNumber())).shardIterator();
    byte[] data = new byte[RECORD_BYTES];
    Latencies out = new Latencies();
    long warmupEnd = System.nanoTime() + LATENCY_WARMUP.toNanos();
    boolean warmingUp = true;
    for (int i = 0; i < LATENCY_SAMPLES; ) {
      long start = System.nanoTime();
      warmingUp &= start < warmupEnd;
      String sequence = kinesis.putRecord(b -> b.streamName(stream).partitionKey(key)
          .data(SdkBytes.fromByteArray(data))).sequenceNumber();
      long acked = System.nanoTime();
      int calls = 0;
      boolean seen = false;
      while (!seen) {
        calls++;
        String current = iterator;
        GetRecordsResponse page = kinesis.getRecords(b -> b.shardIterator(current));
        iterator = page.nextShardIterator();
        for (Record record : page.records()) {
          seen |= record.sequenceNumber().equals(sequence);
        }
      }
      if (!warmingUp) {
        long end = System.nanoTime();
        if (i == 0) {
          out.firstStartMillis = System.currentTimeMillis() - (end - start) / 1_000_000;
        }
        out.total[i] = (end - start) / 1e6;
        out.put[i] = (acked - start) / 1e6;
        out.poll[i] = (end - acked) / 1e6;
        out.polls[i] = calls;
        i++;
      }
    }
    out.lastEndMillis = System.currentTimeMillis();
    return out;
  }

  private static double percentile(double[] values, int percentile) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, index)];
  }
}
