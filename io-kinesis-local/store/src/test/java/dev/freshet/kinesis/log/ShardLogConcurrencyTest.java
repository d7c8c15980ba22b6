package dev.freshet.kinesis.log;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Appenders and readers at once: readers see whole, checked records with consecutive offsets. */
class ShardLogConcurrencyTest {
  private static final int APPENDERS = 4;
  private static final int READERS = 3;
  private static final int BATCHES_PER_APPENDER = 300;

  @TempDir Path dir;

  /** Key "appender:seq"; value a pattern derived from the key, so a torn record cannot pass. */
  private static LogEntry entry(int appender, int seq) {
    byte[] key = (appender + ":" + seq).getBytes(UTF_8);
    return LogEntry.of(key, valueFor(key, 20 + (seq * 7 + appender) % 300));
  }

  private static byte[] valueFor(byte[] key, int length) {
    byte[] value = new byte[length];
    int seed = Arrays.hashCode(key);
    for (int i = 0; i < length; i++) {
      value[i] = (byte) (seed + i * 31);
    }
    return value;
  }

  @ParameterizedTest
  @EnumSource(Durability.class)
  void concurrentAppendersAndReaders(Durability durability) throws Exception {
    LogConfig config =
        LogConfig.builder()
            .setDurability(durability)
            .setSegmentBytes(64 * 1024)
            .setIndexIntervalBytes(1024)
            .build();
    ExecutorService pool = Executors.newFixedThreadPool(APPENDERS + READERS);
    try (ShardLog log = ShardLog.open(dir, config)) {
      List<Future<int[]>> appended = new ArrayList<>();
      int[] totals = new int[APPENDERS];
      Random sizes = new Random(42);
      int[][] batchSizes = new int[APPENDERS][BATCHES_PER_APPENDER];
      for (int a = 0; a < APPENDERS; a++) {
        for (int b = 0; b < BATCHES_PER_APPENDER; b++) {
          batchSizes[a][b] = 1 + sizes.nextInt(20);
          totals[a] += batchSizes[a][b];
        }
      }
      long total = Arrays.stream(totals).sum();
      List<Future<List<Long>>> readers = new ArrayList<>();
      for (int r = 0; r < READERS; r++) {
        int maxRecords = 1 + r * 50;
        readers.add(pool.submit(() -> readUntil(log, total, maxRecords)));
      }
      for (int a = 0; a < APPENDERS; a++) {
        int appender = a;
        appended.add(
            pool.submit(
                () -> {
                  int seq = 0;
                  for (int b = 0; b < BATCHES_PER_APPENDER; b++) {
                    List<LogEntry> batch = new ArrayList<>();
                    for (int i = 0; i < batchSizes[appender][b]; i++) {
                      batch.add(entry(appender, seq++));
                    }
                    log.append(b, (byte) appender, batch);
                  }
                  return new int[] {seq};
                }));
      }
      for (int a = 0; a < APPENDERS; a++) {
        assertThat(appended.get(a).get(1, TimeUnit.MINUTES)[0]).isEqualTo(totals[a]);
      }
      for (Future<List<Long>> reader : readers) {
        assertThat(reader.get(1, TimeUnit.MINUTES)).hasSize((int) total);
      }
      assertThat(log.endOffset()).isEqualTo(total);

      // every appender's records are all there, once, in its order, batches unbroken
      int[] nextSeq = new int[APPENDERS];
      long next = 0;
      while (next < total) {
        LogReadResult result = log.read(next, 1000, Long.MAX_VALUE);
        for (LogRecord record : result.records()) {
          String[] parts = new String(record.key(), UTF_8).split(":");
          int appender = Integer.parseInt(parts[0]);
          assertThat(Integer.parseInt(parts[1])).isEqualTo(nextSeq[appender]++);
          assertThat((int) record.attributes()).isEqualTo(appender);
        }
        next = result.nextOffset();
      }
      for (int a = 0; a < APPENDERS; a++) {
        assertThat(nextSeq[a]).isEqualTo(totals[a]);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Tails the log; checks offsets follow one another and every value matches its key. */
  private static List<Long> readUntil(ShardLog log, long total, int maxRecords)
      throws IOException, InterruptedException {
    List<Long> offsets = new ArrayList<>();
    long next = 0;
    while (next < total) {
      if (!log.awaitEndOffsetAbove(next, 1, TimeUnit.MINUTES)) {
        throw new AssertionError("no new data after offset " + next);
      }
      LogReadResult result = log.read(next, maxRecords, 8 * 1024);
      for (LogRecord record : result.records()) {
        assertThat(record.offset()).isEqualTo(next);
        assertThat(record.value()).isEqualTo(valueFor(record.key(), record.value().length));
        assertThat(ByteBuffer.wrap(record.key()).remaining()).isPositive();
        offsets.add(record.offset());
        next++;
      }
      assertThat(result.nextOffset()).isEqualTo(next);
    }
    return offsets;
  }

  @ParameterizedTest
  @EnumSource(Durability.class)
  void readersSurviveRetentionDeletingTheirSegments(Durability durability) throws Exception {
    LogConfig config =
        LogConfig.builder().setDurability(durability).setSegmentBytes(8 * 1024).build();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (ShardLog log = ShardLog.open(dir, config)) {
      int batches = 400;
      Future<?> appender =
          pool.submit(
              () -> {
                for (int b = 0; b < batches; b++) {
                  log.append(b, (byte) 0, List.of(entry(0, 2 * b), entry(0, 2 * b + 1)));
                  if (b % 10 == 9) {
                    log.deleteSegmentsBefore(b - 20);
                  }
                }
                return null;
              });
      List<Future<Long>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(
            pool.submit(
                () -> {
                  long next = 0;
                  long seen = 0;
                  while (next < 2L * batches) {
                    log.awaitEndOffsetAbove(next, 1, TimeUnit.MINUTES);
                    LogReadResult result = log.read(next, 7, Long.MAX_VALUE);
                    for (LogRecord record : result.records()) {
                      assertThat(record.offset()).isGreaterThanOrEqualTo(next);
                      assertThat(record.value())
                          .isEqualTo(valueFor(record.key(), record.value().length));
                      next = record.offset() + 1;
                      seen++;
                    }
                    next = Math.max(next, result.nextOffset());
                  }
                  return seen;
                }));
      }
      appender.get(1, TimeUnit.MINUTES);
      for (Future<Long> reader : readers) {
        assertThat(reader.get(1, TimeUnit.MINUTES)).isPositive();
      }
      assertThat(log.startOffset()).isPositive();
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest
  @EnumSource(Durability.class)
  void interruptedReaderDoesNotBreakTheLog(Durability durability) throws Exception {
    try (ShardLog log =
        ShardLog.open(dir, LogConfig.builder().setDurability(durability).build())) {
      log.append(1, (byte) 0, List.of(entry(0, 0)));
      Thread.currentThread().interrupt();
      try {
        assertThat(log.read(0, 10, Long.MAX_VALUE).records()).hasSize(1);
        log.append(2, (byte) 0, List.of(entry(0, 1)));
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
      } finally {
        Thread.interrupted();
      }
      assertThat(log.read(0, 10, Long.MAX_VALUE).records()).hasSize(2);
    }
  }
}
