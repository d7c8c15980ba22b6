package dev.freshet.kinesis.log;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Measures the log as the store uses it: producers send batches of 500 records of 100 bytes,
 * split across 4 shard logs (125 records per append). Prints records/s for appends with OS and
 * FSYNC durability, for draining reads, and put-to-visible latency percentiles.
 *
 * <p>Run: {@code java -cp <test classpath> dev.freshet.kinesis.log.ShardLogThroughput [seconds]
 * [dir]}.
 */
public final class ShardLogThroughput {
  private static final int SHARDS = 4;
  private static final int BATCH = 500;
  private static final int VALUE_BYTES = 100;

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
    Path parent = args.length > 1 ? Path.of(args[1]) : Path.of(System.getProperty("java.io.tmpdir"));
    Path root = Files.createTempDirectory(parent, "log-bench");
    try {
      List<List<LogEntry>> perShard = new ArrayList<>();
      for (int s = 0; s < SHARDS; s++) {
        List<LogEntry> entries = new ArrayList<>();
        for (int i = 0; i < BATCH / SHARDS; i++) {
          byte[] value = new byte[VALUE_BYTES];
          ThreadLocalRandom.current().nextBytes(value);
          entries.add(LogEntry.of(("pk-" + s + "-" + i).getBytes(), value));
        }
        perShard.add(entries);
      }
      appendRun(root.resolve("warm"), Durability.OS, 4, 1, perShard);
      // latency first, before the read phase fills the heap
      latencyRun(root.resolve("latency"), Durability.OS, seconds);
      latencyRun(root.resolve("latency-fsync"), Durability.FSYNC, seconds);
      double os = appendRun(root.resolve("os"), Durability.OS, 4, seconds, perShard);
      System.out.printf("append OS,    4 producers x 4 logs: %,12.0f records/s%n", os);
      double os1 = appendRun(root.resolve("os1"), Durability.OS, 1, seconds, perShard);
      System.out.printf("append OS,    1 producer  x 4 logs: %,12.0f records/s%n", os1);
      double fs = appendRun(root.resolve("fsync"), Durability.FSYNC, 4, seconds, perShard);
      System.out.printf("append FSYNC, 4 producers x 4 logs: %,12.0f records/s%n", fs);
      double fs16 = appendRun(root.resolve("fsync16"), Durability.FSYNC, 16, seconds, perShard);
      System.out.printf("append FSYNC, 16 producers x 4 logs: %,11.0f records/s%n", fs16);
      double fs1 = appendRun(root.resolve("fsync1"), Durability.FSYNC, 1, seconds, perShard);
      System.out.printf("append FSYNC, 1 producer  x 4 logs: %,12.0f records/s%n", fs1);
      readRun(root.resolve("os"));
    } finally {
      MoreFiles.deleteRecursively(root, RecursiveDeleteOption.ALLOW_INSECURE);
    }
  }

  private static ShardLog[] openLogs(Path dir, Durability durability) throws Exception {
    ShardLog[] logs = new ShardLog[SHARDS];
    for (int s = 0; s < SHARDS; s++) {
      logs[s] =
          ShardLog.open(
              dir.resolve("shard-" + s), LogConfig.builder().setDurability(durability).build());
    }
    return logs;
  }

  private static double appendRun(
      Path dir,
      Durability durability,
      int producers,
      double seconds,
      List<List<LogEntry>> perShard)
      throws Exception {
    ShardLog[] logs = openLogs(dir, durability);
    AtomicBoolean stop = new AtomicBoolean();
    LongAdder records = new LongAdder();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  while (!stop.get()) {
                    for (int s = 0; s < SHARDS; s++) {
                      logs[s].append(System.currentTimeMillis(), (byte) 0, perShard.get(s));
                    }
                    records.add(BATCH);
                  }
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              });
      threads.add(t);
    }
    long start = System.nanoTime();
    threads.forEach(Thread::start);
    Thread.sleep((long) (seconds * 1000));
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    for (ShardLog log : logs) {
      log.close();
    }
    return records.sum() / elapsed;
  }

  private static void readRun(Path dir) throws Exception {
    ShardLog[] logs = openLogs(dir, Durability.OS);
    long total = 0;
    for (ShardLog log : logs) {
      total += log.endOffset();
    }
    for (int round = 0; round < 3; round++) { // the first round also builds the lazy indexes
      long start = System.nanoTime();
      long n = 0;
      long bytes = 0;
      for (ShardLog log : logs) {
        long next = log.startOffset();
        while (next < log.endOffset()) {
          LogReadResult result = log.read(next, 10_000, 10 << 20);
          n += result.records().size();
          bytes += result.records().get(0).sizeInBytes();
          next = result.nextOffset();
        }
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "read drain,   1 reader, %,d records (round %d): %,12.0f records/s%n",
          n, round + 1, n / elapsed);
      if (n != total || bytes == 0) {
        throw new AssertionError("read " + n + " of " + total);
      }
    }
    for (ShardLog log : logs) {
      log.close();
    }
  }

  /**
   * One producer appends 125-record batches to one log; a consumer blocked in {@link
   * ShardLog#awaitEndOffsetAbove} reads each batch. Latency is from just before the append to the
   * moment the consumer holds the records.
   */
  private static void latencyRun(Path dir, Durability durability, double seconds)
      throws Exception {
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 0; i < BATCH / SHARDS; i++) {
      entries.add(LogEntry.of(("pk-" + i).getBytes(), new byte[VALUE_BYTES]));
    }
    try (ShardLog log =
        ShardLog.open(dir, LogConfig.builder().setDurability(durability).build())) {
      long[] latencies = new long[200_000];
      long[] started = new long[1];
      int[] samples = {0};
      Semaphore consumed = new Semaphore(0);
      AtomicBoolean stop = new AtomicBoolean();
      Thread consumer =
          new Thread(
              () -> {
                long next = 0;
                try {
                  while (!stop.get()) {
                    if (log.awaitEndOffsetAbove(next, 100, TimeUnit.MILLISECONDS)) {
                      LogReadResult result = log.read(next, 10_000, 10 << 20);
                      long now = System.nanoTime();
                      latencies[samples[0]++] = now - started[0];
                      next = result.nextOffset();
                      consumed.release();
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      consumer.start();
      long deadline = System.nanoTime() + (long) (seconds * 1e9);
      int sent = 0;
      while (System.nanoTime() < deadline && sent < latencies.length) {
        started[0] = System.nanoTime();
        log.append(System.currentTimeMillis(), (byte) 0, entries);
        sent++;
        if (!consumed.tryAcquire(10, TimeUnit.SECONDS)) {
          throw new AssertionError("consumer did not see batch " + sent);
        }
      }
      stop.set(true);
      consumer.join();
      int n = samples[0];
      long[] sorted = Arrays.copyOf(latencies, n);
      Arrays.sort(sorted);
      System.out.printf(
          "put-to-visible %s, 125-record batches, waiting consumer: p50 %.1f us, p99 %.1f us,"
              + " p99.9 %.1f us (%d samples)%n",
          durability,
          sorted[n / 2] / 1e3,
          sorted[(int) (n * 0.99)] / 1e3,
          sorted[(int) (n * 0.999)] / 1e3,
          n);
    }
  }
}
