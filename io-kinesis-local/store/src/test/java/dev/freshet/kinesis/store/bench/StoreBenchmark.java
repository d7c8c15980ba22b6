package dev.freshet.kinesis.store.bench;

import dev.freshet.kinesis.log.Durability;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The store benchmark that {@code bench/store.sh} runs, in one process: appends with OS and FSYNC
 * durability, a drain read, put-to-visible latency, and as a baseline the same appends on plain
 * append-only files, so that the store's figures read against what the disk itself does.
 *
 * <p>Arguments: a scratch folder (deleted and recreated), then optionally the seconds each
 * append run measures (default 5).
 */
public final class StoreBenchmark {
  private static final int SHARDS = 4;
  private static final int WRITERS = 4;
  private static final int BATCH = 500;
  private static final int RECORD_BYTES = 100;
  private static final int KEY_CHARS = 16;
  private static final int BATCH_POOL = 64;
  private static final int GET_LIMIT = 10_000;

  private final Path scratch;
  private final double seconds;
  private final List<List<PutRecordsEntry>> batches;
  private final Map<String, String> results = new LinkedHashMap<>();
  private final List<String[]> table = new ArrayList<>();

  private StoreBenchmark(Path scratch, double seconds) {
    this.scratch = scratch;
    this.seconds = seconds;
    this.batches = makeBatches();
  }

  public static void main(String[] args) throws Exception {
    Path scratch = Path.of(args.length > 0 ? args[0] : "target/bench-store");
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
    deleteRecursively(scratch);
    Files.createDirectories(scratch);
    try {
      new StoreBenchmark(scratch, seconds).run();
    } finally {
      deleteRecursively(scratch);
    }
  }

  private void run() throws Exception {
    Throughput baselineOs = baselineAppend(false);
    Throughput baselineFsync = baselineAppend(true);
    Path osDir = scratch.resolve("store-os");
    Throughput putOs = storeAppend(osDir, Durability.OS);
    Throughput putFsync = storeAppend(scratch.resolve("store-fsync"), Durability.FSYNC);
    Throughput get = drain(osDir);
    deleteRecursively(osDir);
    double[] latency = latency(scratch.resolve("store-latency"), Durability.OS);
    double[] latencyFsync = latency(scratch.resolve("store-latency-fsync"), Durability.FSYNC);

    row("baseline append, os (FileChannel.write)", baselineOs);
    row("baseline append, fsync (write + force)", baselineFsync);
    row("store putRecords, durability os", putOs);
    row("store putRecords, durability fsync", putFsync);
    row("store getRecords(10000) drain", get);
    System.out.println();
    System.out.printf(Locale.ROOT, "%-44s %14s %10s %10s%n", "run", "records/s", "MB/s", "seconds");
    for (String[] r : table) {
      System.out.printf(Locale.ROOT, "%-44s %14s %10s %10s%n", (Object[]) r);
    }
    System.out.printf(Locale.ROOT, "%-44s p50 %.3f ms, p99 %.3f ms, max %.3f ms (%d samples)%n",
        "put-to-visible latency, os", latency[0], latency[1], latency[2], (long) latency[3]);
    System.out.printf(Locale.ROOT, "%-44s p50 %.3f ms, p99 %.3f ms, max %.3f ms (%d samples)%n",
        "put-to-visible latency, fsync", latencyFsync[0], latencyFsync[1], latencyFsync[2],
        (long) latencyFsync[3]);
    System.out.println();

    put("store.put.os.rps", putOs.recordsPerSecond(), 0);
    put("store.put.os.mbps", putOs.megabytesPerSecond(), 1);
    put("store.put.fsync.rps", putFsync.recordsPerSecond(), 0);
    put("store.put.fsync.mbps", putFsync.megabytesPerSecond(), 1);
    put("store.get.rps", get.recordsPerSecond(), 0);
    put("store.latency.p50.ms", latency[0], 3);
    put("store.latency.p99.ms", latency[1], 3);
    put("store.latency.max.ms", latency[2], 3);
    put("store.latency.fsync.p50.ms", latencyFsync[0], 3);
    put("store.latency.fsync.p99.ms", latencyFsync[1], 3);
    put("baseline.append.os.rps", baselineOs.recordsPerSecond(), 0);
    put("baseline.append.fsync.rps", baselineFsync.recordsPerSecond(), 0);
    put("ratio.put.os.vs.baseline", putOs.recordsPerSecond() / baselineOs.recordsPerSecond(), 3);
    put("ratio.put.fsync.vs.baseline", putFsync.recordsPerSecond() / baselineFsync.recordsPerSecond(), 3);
    put("ratio.put.fsync.vs.os", putFsync.recordsPerSecond() / putOs.recordsPerSecond(), 3);
    results.forEach((k, v) -> System.out.println(k + "=" + v));
  }

  private void put(String key, double value, int decimals) {
    results.put(key, String.format(Locale.ROOT, "%." + decimals + "f", value));
  }

  private void row(String name, Throughput t) {
    table.add(new String[] {name, String.format(Locale.ROOT, "%,.0f", t.recordsPerSecond()),
        String.format(Locale.ROOT, "%.1f", t.megabytesPerSecond()),
        String.format(Locale.ROOT, "%.2f", t.seconds())});
  }

  /** Records and seconds of a run; MB/s counts the 100-byte payloads only (10^6 bytes). */
  private record Throughput(long records, double seconds) {
    double recordsPerSecond() {
      return records / seconds;
    }

    double megabytesPerSecond() {
      return records * (double) RECORD_BYTES / 1e6 / seconds;
    }
  }

  private static List<List<PutRecordsEntry>> makeBatches() {
    SplittableRandom random = new SplittableRandom(42);
    List<List<PutRecordsEntry>> batches = new ArrayList<>(BATCH_POOL);
    for (int b = 0; b < BATCH_POOL; b++) {
      List<PutRecordsEntry> batch = new ArrayList<>(BATCH);
      for (int i = 0; i < BATCH; i++) {
        byte[] data = new byte[RECORD_BYTES];
        for (int j = 0; j < RECORD_BYTES; j++) {
          data[j] = (byte) random.nextInt(256);
        }
        batch.add(PutRecordsEntry.of(randomKey(random), data));
      }
      batches.add(List.copyOf(batch));
    }
    return batches;
  }

  private static String randomKey(SplittableRandom random) {
    char[] key = new char[KEY_CHARS];
    for (int i = 0; i < KEY_CHARS; i++) {
      key[i] = (char) ('a' + random.nextInt(26));
    }
    return new String(key);
  }

  // ---- appends ----

  private Throughput storeAppend(Path dir, Durability durability) throws Exception {
    try (LocalStreamStore store = LocalStreamStore.open(StoreConfig.builder(dir).setDurability(durability).build())) {
      store.createStream(CreateStreamRequest.provisioned("bench", SHARDS));
      return timed((writer, iteration) -> {
        PutRecordsResult result = store.putRecords("bench", batchFor(writer, iteration));
        if (result.failedRecordCount() != 0) {
          throw new IllegalStateException(result.failedRecordCount() + " records failed: "
              + result.records().stream().filter(r -> !r.isSuccessful()).findFirst().orElseThrow());
        }
        return BATCH;
      });
    }
  }

  /**
   * The disk's own figure for the same workload: each writer appends the same 500-record batches,
   * framed with key and length as a log would, to its own file with one write per batch, and in
   * fsync mode forces after each write.
   */
  private Throughput baselineAppend(boolean fsync) throws Exception {
    Path dir = scratch.resolve(fsync ? "baseline-fsync" : "baseline-os");
    Files.createDirectories(dir);
    FileChannel[] files = new FileChannel[WRITERS];
    ByteBuffer[] buffers = new ByteBuffer[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
      files[w] = FileChannel.open(dir.resolve("shard-" + w + ".log"),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      buffers[w] = ByteBuffer.allocateDirect(BATCH * (RECORD_BYTES + KEY_CHARS + 32));
    }
    try {
      return timed((writer, iteration) -> {
        // Serialize per call, as the store does, so that copying counts on both sides.
        List<PutRecordsEntry> batch = batchFor(writer, iteration);
        ByteBuffer buf = buffers[writer].clear();
        for (PutRecordsEntry entry : batch) {
          byte[] key = entry.partitionKey().getBytes(StandardCharsets.UTF_8);
          buf.putInt(key.length + entry.data().length).put(key).put(entry.data());
        }
        buf.flip();
        while (buf.hasRemaining()) {
          files[writer].write(buf);
        }
        if (fsync) {
          files[writer].force(false);
        }
        return BATCH;
      });
    } finally {
      for (FileChannel file : files) {
        file.close();
      }
      deleteRecursively(dir);
    }
  }

  private interface Step {
    /** One batch for {@code writer}, its {@code iteration}-th; returns the records it wrote. */
    int run(int writer, int iteration) throws Exception;
  }

  /** Which pooled batch a writer sends: each walks the pool from its own place. */
  private List<PutRecordsEntry> batchFor(int writer, int iteration) {
    return batches.get((writer * (BATCH_POOL / WRITERS) + iteration) % BATCH_POOL);
  }

  /**
   * Runs {@code step} on WRITERS threads for a warm-up second, then for {@link #seconds}; only what
   * the measured window acknowledged counts.
   */
  private Throughput timed(Step step) throws Exception {
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try {
      List<Future<Long>> futures = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        Callable<Long> loop = () -> {
          long counted = 0;
          for (int iteration = 0; !stop.get(); iteration++) {
            int records = step.run(writer, iteration);
            if (measuring.get()) {
              counted += records;
            }
          }
          return counted;
        };
        futures.add(pool.submit(loop));
      }
      Thread.sleep(1000);
      measuring.set(true);
      long start = System.nanoTime();
      Thread.sleep((long) (seconds * 1000));
      measuring.set(false);
      double elapsed = (System.nanoTime() - start) / 1e9;
      stop.set(true);
      long records = 0;
      for (Future<Long> future : futures) {
        records += future.get();
      }
      return new Throughput(records, elapsed);
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(1, TimeUnit.MINUTES);
    }
  }

  // ---- reads ----

  /** Reads every shard of the OS run's stream to its end with GetRecords of 10,000, one thread per shard. */
  private Throughput drain(Path dir) throws Exception {
    try (LocalStreamStore store = LocalStreamStore.open(StoreConfig.builder(dir).build())) {
      List<Shard> shards = store.listShards(ListShardsRequest.of("bench")).shards();
      ExecutorService pool = Executors.newFixedThreadPool(shards.size());
      try {
        long start = System.nanoTime();
        List<Future<Long>> futures = new ArrayList<>();
        for (Shard shard : shards) {
          futures.add(pool.submit(() -> {
            long count = 0;
            String iterator = store.getShardIterator("bench", shard.shardId(), StartingPosition.trimHorizon());
            while (true) {
              GetRecordsResult page = store.getRecords(iterator, GET_LIMIT);
              if (page.records().isEmpty()) {
                return count;
              }
              count += page.records().size();
              iterator = page.nextShardIterator();
            }
          }));
        }
        long records = 0;
        for (Future<Long> future : futures) {
          records += future.get();
        }
        return new Throughput(records, (System.nanoTime() - start) / 1e9);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  // ---- latency ----

  /**
   * One writer puts a batch of one small record every 500 µs; a reader polls the shard with
   * GetRecords in a loop. Latency runs from just before the put call to the moment the reader has
   * the record; the record carries its start time. Returns p50, p99, max (ms) and the count.
   */
  private double[] latency(Path dir, Durability durability) throws Exception {
    int warmup = 2_000;
    int samples = 10_000;
    long paceNanos = 500_000;
    try (LocalStreamStore store = LocalStreamStore.open(StoreConfig.builder(dir).setDurability(durability).build())) {
      store.createStream(CreateStreamRequest.provisioned("latency", SHARDS));
      String key = "latency-key";
      String shardId = store.putRecords("latency", List.of(PutRecordsEntry.of(key, new byte[8])))
          .records().get(0).shardId();
      long[] seen = new long[warmup + samples];
      AtomicBoolean failed = new AtomicBoolean();
      Thread reader = new Thread(() -> {
        String iterator = store.getShardIterator("latency", shardId, StartingPosition.latest());
        int count = 0;
        while (count < seen.length && !failed.get()) {
          GetRecordsResult page = store.getRecords(iterator, GET_LIMIT);
          long now = System.nanoTime();
          for (Record record : page.records()) {
            long started = ByteBuffer.wrap(record.data()).getLong();
            seen[count++] = now - started;
          }
          iterator = page.nextShardIterator();
          if (page.records().isEmpty()) {
            Thread.onSpinWait();
          }
        }
      }, "latency-reader");
      reader.start();
      Thread.sleep(100); // let the reader take its LATEST iterator before the first put
      long next = System.nanoTime();
      for (int i = 0; i < seen.length; i++) {
        while (System.nanoTime() < next) {
          LockSupport.parkNanos(Math.max(1, next - System.nanoTime() - 50_000));
        }
        ByteBuffer data = ByteBuffer.allocate(Long.BYTES);
        long started = System.nanoTime();
        data.putLong(started);
        store.putRecords("latency", List.of(PutRecordsEntry.of(key, data.array())));
        next = Math.max(next + paceNanos, System.nanoTime());
      }
      reader.join(TimeUnit.SECONDS.toMillis(60));
      if (reader.isAlive()) {
        failed.set(true);
        throw new IllegalStateException("the latency reader did not see every record");
      }
      long[] measured = Arrays.copyOfRange(seen, warmup, seen.length);
      Arrays.sort(measured);
      return new double[] {
          measured[measured.length / 2] / 1e6,
          measured[(int) Math.ceil(measured.length * 0.99) - 1] / 1e6,
          measured[measured.length - 1] / 1e6,
          measured.length};
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (var walk = Files.walk(path)) {
      for (Path each : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(each);
      }
    }
  }
}
