package dev.freshet.kinesis.log;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardLogTest {
  @TempDir Path dir;

  private static final LogConfig SMALL_SEGMENTS =
      LogConfig.builder().setSegmentBytes(4096).setIndexIntervalBytes(256).build();

  static List<LogEntry> batch(long first, int count) {
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      entries.add(LogEntry.of(("k" + (first + i)).getBytes(UTF_8), value(first + i)));
    }
    return entries;
  }

  static byte[] value(long offset) {
    return ("value-" + offset + "-" + "x".repeat((int) (offset % 50))).getBytes(UTF_8);
  }

  private static void assertRecord(LogRecord record, long offset) {
    assertThat(record.offset()).isEqualTo(offset);
    assertThat(new String(record.key(), UTF_8)).isEqualTo("k" + offset);
    assertThat(record.value()).isEqualTo(value(offset));
  }

  private List<Path> segmentFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".log")).sorted().collect(Collectors.toList());
    }
  }

  private static List<LogRecord> readAll(ShardLog log) throws IOException {
    List<LogRecord> all = new ArrayList<>();
    long next = log.startOffset();
    while (next < log.endOffset()) {
      LogReadResult result = log.read(next, 7, Long.MAX_VALUE);
      all.addAll(result.records());
      next = result.nextOffset();
    }
    return all;
  }

  @Test
  void appendAndReadRoundTrip() throws IOException {
    try (ShardLog log = ShardLog.open(dir.resolve("shard"), LogConfig.defaults())) {
      assertThat(log.endOffset()).isZero();
      assertThat(log.lastTimestampMillis()).isEqualTo(-1);
      assertThat(log.read(0, 10, 1000).records()).isEmpty();
      assertThat(log.append(1000, (byte) 3, batch(0, 3))).isEqualTo(0);
      assertThat(log.append(1001, (byte) 4, batch(3, 2))).isEqualTo(3);
      assertThat(log.endOffset()).isEqualTo(5);

      LogReadResult result = log.read(0, 100, Long.MAX_VALUE);
      assertThat(result.records()).hasSize(5);
      assertThat(result.nextOffset()).isEqualTo(5);
      for (int i = 0; i < 5; i++) {
        assertRecord(result.records().get(i), i);
      }
      assertThat(result.records().get(0).attributes()).isEqualTo((byte) 3);
      assertThat(result.records().get(0).timestampMillis()).isEqualTo(1000);
      assertThat(result.records().get(4).attributes()).isEqualTo((byte) 4);
      assertThat(log.read(3, 100, Long.MAX_VALUE).records().get(0).offset()).isEqualTo(3);
      assertThat(log.read(5, 100, Long.MAX_VALUE).records()).isEmpty();
      assertThat(log.read(5, 100, Long.MAX_VALUE).nextOffset()).isEqualTo(5);
    }
  }

  @Test
  void readHonoursMaxRecordsAndMaxBytes() throws IOException {
    try (ShardLog log = ShardLog.open(dir, LogConfig.defaults())) {
      log.append(1, (byte) 0, batch(0, 20));
      assertThat(log.read(0, 4, Long.MAX_VALUE).records()).hasSize(4);
      assertThat(log.read(0, 4, Long.MAX_VALUE).nextOffset()).isEqualTo(4);
      int first = log.read(0, 1, 0).records().get(0).sizeInBytes();
      int second = log.read(1, 1, 0).records().get(0).sizeInBytes();
      // maxBytes 0 still returns one record; the budget then counts keys and values.
      assertThat(log.read(0, 10, 0).records()).hasSize(1);
      assertThat(log.read(0, 10, first + second).records()).hasSize(2);
      assertThat(log.read(0, 10, first + second - 1).records()).hasSize(1);
    }
  }

  /**
   * After a reopen, the older segments are indexed by the reads that pass through them rather than
   * scanned whole before the first read: a short read at the start, and a lookup by a time before
   * everything (as the retention check makes), leave their segment unindexed; a read through
   * everything indexes every segment; readers running at once (sequential, random, by timestamp)
   * on a fresh reopen all get the right records.
   */
  @Test
  void readsIndexOlderSegmentsAsTheyPass() throws Exception {
    LogConfig config = LogConfig.builder().setSegmentBytes(16 * 1024).setIndexIntervalBytes(256).build();
    int records = 3_000;
    try (ShardLog log = ShardLog.open(dir, config)) {
      for (int i = 0; i < records / 5; i++) {
        log.append(10L * i, (byte) 0, batch(i * 5L, 5));
      }
    }
    int segments = segmentFiles().size();
    assertThat(segments).isGreaterThan(5);
    try (ShardLog log = ShardLog.open(dir, config)) {
      assertThat(log.indexedSegments()).as("only the tail, indexed by recovery").isEqualTo(1);
      List<LogRecord> first = log.read(0, 3, Long.MAX_VALUE).records();
      for (int i = 0; i < 3; i++) {
        assertRecord(first.get(i), i);
      }
      assertThat(log.offsetForTimestamp(-1)).isEqualTo(0);
      assertThat(log.indexedSegments()).as("a short read indexes only what it passed").isEqualTo(1);
      List<LogRecord> all = readAll(log);
      for (int i = 0; i < records; i++) {
        assertRecord(all.get(i), i);
      }
      assertThat(log.indexedSegments()).as("a read through every segment indexed them all").isEqualTo(segments);
    }
    try (ShardLog log = ShardLog.open(dir, config)) {
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
      try {
        List<java.util.concurrent.Future<?>> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
          readers.add(pool.submit(() -> {
            List<LogRecord> all = readAll(log);
            assertThat(all).hasSize(records);
            for (int i = 0; i < records; i++) {
              assertRecord(all.get(i), i);
            }
            return null;
          }));
        }
        readers.add(pool.submit(() -> {
          java.util.Random random = new java.util.Random(7);
          for (int n = 0; n < 300; n++) {
            int offset = random.nextInt(records);
            assertRecord(log.read(offset, 1, Long.MAX_VALUE).records().get(0), offset);
          }
          return null;
        }));
        readers.add(pool.submit(() -> {
          for (int batch = 599; batch >= 0; batch -= 37) {
            // batch b holds offsets 5b..5b+4 at timestamp 10b
            assertThat(log.offsetForTimestamp(10L * batch - 5)).isEqualTo(5L * batch);
            assertThat(log.offsetForTimestamp(10L * batch)).isEqualTo(5L * batch);
          }
          return null;
        }));
        for (java.util.concurrent.Future<?> reader : readers) {
          reader.get(1, java.util.concurrent.TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
      }
      assertRecord(log.read(1_234, 1, Long.MAX_VALUE).records().get(0), 1_234);
    }
  }

  @Test
  void readsAcrossSegmentRolls() throws IOException {
    try (ShardLog log = ShardLog.open(dir, SMALL_SEGMENTS)) {
      for (int i = 0; i < 100; i++) {
        log.append(i, (byte) 0, batch(i * 5L, 5));
      }
      assertThat(segmentFiles().size()).isGreaterThan(5);
      List<LogRecord> all = readAll(log);
      assertThat(all).hasSize(500);
      for (int i = 0; i < 500; i++) {
        assertRecord(all.get(i), i);
      }
      assertThat(log.read(0, 1000, Long.MAX_VALUE).records()).hasSize(500);
      assertThat(log.read(317, 3, Long.MAX_VALUE).records().get(0).offset()).isEqualTo(317);
    }
    // after reopen the older segments index themselves lazily
    try (ShardLog log = ShardLog.open(dir, SMALL_SEGMENTS)) {
      assertThat(log.endOffset()).isEqualTo(500);
      assertThat(log.read(317, 3, Long.MAX_VALUE).records().get(0).offset()).isEqualTo(317);
      List<LogRecord> all = readAll(log);
      for (int i = 0; i < 500; i++) {
        assertRecord(all.get(i), i);
      }
    }
  }

  @Test
  void rollsOnSegmentAge() throws IOException {
    LogConfig config = LogConfig.builder().setSegmentMaxAgeMillis(1000).build();
    try (ShardLog log = ShardLog.open(dir, config)) {
      log.append(0, (byte) 0, batch(0, 1));
      log.append(1000, (byte) 0, batch(1, 1));
      assertThat(segmentFiles()).hasSize(1);
      log.append(1001, (byte) 0, batch(2, 1));
      assertThat(segmentFiles()).hasSize(2);
      assertThat(log.read(0, 10, Long.MAX_VALUE).records()).hasSize(3);
    }
  }

  @Test
  void timestampsNeverDecreaseAndOffsetForTimestampFindsFirstAtOrAfter() throws IOException {
    try (ShardLog log = ShardLog.open(dir, SMALL_SEGMENTS)) {
      assertThat(log.offsetForTimestamp(0)).isEqualTo(0);
      for (int i = 0; i < 100; i++) {
        log.append(1000 + i * 10, (byte) 0, batch(i * 3L, 3));
      }
      log.append(500, (byte) 0, batch(300, 1)); // earlier than the last: becomes 1990
      assertThat(log.lastTimestampMillis()).isEqualTo(1990);
      assertThat(log.read(300, 1, 0).records().get(0).timestampMillis()).isEqualTo(1990);

      assertThat(log.offsetForTimestamp(0)).isEqualTo(0);
      assertThat(log.offsetForTimestamp(1000)).isEqualTo(0);
      assertThat(log.offsetForTimestamp(1001)).isEqualTo(3);
      assertThat(log.offsetForTimestamp(1500)).isEqualTo(150);
      assertThat(log.offsetForTimestamp(1505)).isEqualTo(153);
      assertThat(log.offsetForTimestamp(1990)).isEqualTo(297);
      assertThat(log.offsetForTimestamp(1991)).isEqualTo(301);
    }
    try (ShardLog log = ShardLog.open(dir, SMALL_SEGMENTS)) {
      assertThat(log.offsetForTimestamp(1505)).isEqualTo(153);
      assertThat(log.lastTimestampMillis()).isEqualTo(1990);
      log.append(10, (byte) 0, batch(301, 1));
      assertThat(log.lastTimestampMillis()).isEqualTo(1990);
    }
  }

  @Test
  void sealRefusesAppendsAndSurvivesReopen() throws Exception {
    try (ShardLog log = ShardLog.open(dir, LogConfig.defaults())) {
      log.append(1, (byte) 0, batch(0, 2));
      assertThat(log.seal()).isEqualTo(2);
      assertThat(log.seal()).isEqualTo(2);
      assertThat(log.isSealed()).isTrue();
      assertThatThrownBy(() -> log.append(2, (byte) 0, batch(2, 1)))
          .isInstanceOf(LogSealedException.class);
      assertThat(log.awaitEndOffsetAbove(2, 1, TimeUnit.DAYS)).isFalse();
      assertThat(log.read(0, 10, Long.MAX_VALUE).records()).hasSize(2);
    }
    try (ShardLog log = ShardLog.open(dir, LogConfig.defaults())) {
      assertThat(log.isSealed()).isTrue();
      assertThat(log.endOffset()).isEqualTo(2);
      assertThatThrownBy(() -> log.append(2, (byte) 0, batch(2, 1)))
          .isInstanceOf(LogSealedException.class);
    }
  }

  @Test
  void retentionDeletesWholeSegmentsOnly() throws IOException {
    try (ShardLog log = ShardLog.open(dir, SMALL_SEGMENTS)) {
      for (int i = 0; i < 100; i++) {
        log.append(i, (byte) 0, batch(i * 5L, 5));
      }
      int segmentsBefore = segmentFiles().size();
      assertThat(log.deleteSegmentsBefore(0)).isZero();
      int deleted = log.deleteSegmentsBefore(50);
      assertThat(deleted).isPositive();
      assertThat(segmentFiles()).hasSize(segmentsBefore - deleted);
      long start = log.startOffset();
      assertThat(start).isPositive();
      // whole segments: the new first segment holds a record older than 50 or begins at its start
      assertThat(log.read(0, 1, 0).records().get(0).offset()).isEqualTo(start);
      assertThat(log.read(start, 1, 0).records().get(0).timestampMillis())
          .isLessThanOrEqualTo(50);
      assertThat(readAll(log)).hasSize((int) (500 - start));
      assertThat(log.offsetForTimestamp(0)).isEqualTo(start);

      // everything expired: the active segment rolls and goes too
      assertThat(log.deleteSegmentsBefore(1000)).isPositive();
      assertThat(log.startOffset()).isEqualTo(500);
      assertThat(log.endOffset()).isEqualTo(500);
      assertThat(log.read(0, 10, Long.MAX_VALUE).records()).isEmpty();
      assertThat(log.append(2000, (byte) 0, batch(500, 1))).isEqualTo(500);
    }
    try (ShardLog log = ShardLog.open(dir, SMALL_SEGMENTS)) {
      assertThat(log.startOffset()).isEqualTo(500);
      assertThat(log.endOffset()).isEqualTo(501);
    }
  }

  @Test
  void reopenRecoversEndOffset() throws IOException {
    try (ShardLog log = ShardLog.open(dir, SMALL_SEGMENTS)) {
      for (int i = 0; i < 30; i++) {
        log.append(i, (byte) 0, batch(i * 4L, 4));
      }
    }
    try (ShardLog log = ShardLog.open(dir, SMALL_SEGMENTS)) {
      assertThat(log.endOffset()).isEqualTo(120);
      assertThat(log.lastTimestampMillis()).isEqualTo(29);
      assertThat(log.append(30, (byte) 0, batch(120, 1))).isEqualTo(120);
      List<LogRecord> all = readAll(log);
      for (int i = 0; i <= 120; i++) {
        assertRecord(all.get(i), i);
      }
    }
  }

  private Path tailAfterAppending(int batches) throws IOException {
    try (ShardLog log = ShardLog.open(dir, LogConfig.defaults())) {
      for (int i = 0; i < batches; i++) {
        log.append(i, (byte) 0, batch(i * 3L, 3));
      }
    }
    List<Path> files = segmentFiles();
    return files.get(files.size() - 1);
  }

  private void assertRecoveredTo(long end) throws IOException {
    try (ShardLog log = ShardLog.open(dir, LogConfig.defaults())) {
      assertThat(log.endOffset()).isEqualTo(end);
      List<LogRecord> all = readAll(log);
      assertThat(all).hasSize((int) end);
      for (int i = 0; i < end; i++) {
        assertRecord(all.get(i), i);
      }
      assertThat(log.append(99, (byte) 0, batch(end, 1))).isEqualTo(end);
    }
    try (ShardLog log = ShardLog.open(dir, LogConfig.defaults())) {
      assertThat(log.endOffset()).isEqualTo(end + 1);
      assertRecord(log.read(end, 1, 0).records().get(0), end);
    }
  }

  @Test
  void tornTailMidRecordIsTruncatedToTheLastWholeBatch() throws IOException {
    Path tail = tailAfterAppending(10);
    long size = Files.size(tail);
    try (FileChannel channel = FileChannel.open(tail, StandardOpenOption.WRITE)) {
      channel.truncate(size - 7); // in the last record of the last batch
    }
    assertRecoveredTo(27);
  }

  @Test
  void tornBatchIsDroppedWhole() throws IOException {
    Path tail = tailAfterAppending(10);
    long size = Files.size(tail);
    int lastRecord = RecordFormat.FRAME_OVERHEAD + "k29".length() + value(29).length;
    try (FileChannel channel = FileChannel.open(tail, StandardOpenOption.WRITE)) {
      channel.truncate(size - lastRecord); // records 27 and 28 are whole, 29 is gone
    }
    assertRecoveredTo(27);
  }

  @Test
  void garbageAfterTheTailIsTruncated() throws IOException {
    Path tail = tailAfterAppending(10);
    Files.write(tail, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, StandardOpenOption.APPEND);
    assertRecoveredTo(30);
    Files.write(tail, new byte[100], StandardOpenOption.APPEND); // zeros, as after a power loss
    assertRecoveredTo(31);
  }

  @Test
  void flippedByteInTheLastRecordIsTruncated() throws IOException {
    Path tail = tailAfterAppending(10);
    flipByte(tail, Files.size(tail) - 3);
    assertRecoveredTo(27);
  }

  @Test
  void tailWithoutHeaderIsRecreated() throws IOException {
    try (ShardLog log = ShardLog.open(dir, SMALL_SEGMENTS)) {
      for (int i = 0; i < 50; i++) {
        log.append(i, (byte) 0, batch(i * 5L, 5));
      }
    }
    // as if a crash came right after creating the next segment file
    Files.write(dir.resolve(Segment.fileName(250)), new byte[5]);
    try (ShardLog log = ShardLog.open(dir, SMALL_SEGMENTS)) {
      assertThat(log.endOffset()).isEqualTo(250);
      assertThat(log.lastTimestampMillis()).isEqualTo(49);
      assertThat(log.append(50, (byte) 0, batch(250, 1))).isEqualTo(250);
      assertThat(readAll(log)).hasSize(251);
    }
  }

  @Test
  void corruptByteInTheMiddleFailsTheReadNotServesIt() throws IOException {
    Path tail = tailAfterAppending(10);
    try (ShardLog log = ShardLog.open(dir, LogConfig.defaults())) {
      LogRecord fifth = log.read(5, 1, 0).records().get(0);
      assertThat(fifth.offset()).isEqualTo(5);
    }
    // find record 5's position by reading the frames
    long position = RecordFormat.HEADER_SIZE;
    for (int i = 0; i < 5; i++) {
      position += RecordFormat.FRAME_OVERHEAD + ("k" + i).length() + value(i).length;
    }
    try (ShardLog log = ShardLog.open(dir, LogConfig.defaults())) {
      flipByte(tail, position + RecordFormat.KEY_AT + 1);
      assertThatThrownBy(() -> log.read(0, 100, Long.MAX_VALUE))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(tail.toString())
          .hasMessageContaining("position " + position);
      assertThat(log.read(0, 5, Long.MAX_VALUE).records()).hasSize(5);
      assertThatThrownBy(() -> log.read(6, 100, Long.MAX_VALUE)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void awaitEndOffsetAboveWakesOnAppendAndTimesOut() throws Exception {
    try (ShardLog log = ShardLog.open(dir, LogConfig.defaults())) {
      assertThat(log.awaitEndOffsetAbove(-1, 0, TimeUnit.SECONDS)).isTrue();
      assertThat(log.awaitEndOffsetAbove(0, 0, TimeUnit.SECONDS)).isFalse();
      assertThat(log.awaitEndOffsetAbove(0, 1, TimeUnit.MILLISECONDS)).isFalse();
      Thread appender =
          new Thread(
              () -> {
                try {
                  log.append(1, (byte) 0, batch(0, 1));
                } catch (IOException e) {
                  throw new RuntimeException(e);
                }
              });
      appender.start();
      assertThat(log.awaitEndOffsetAbove(0, 1, TimeUnit.MINUTES)).isTrue();
      appender.join();
      assertThat(log.endOffset()).isEqualTo(1);
    }
  }

  @Test
  void fsyncDurabilityRoundTrip() throws IOException {
    LogConfig config = SMALL_SEGMENTS.toBuilder().setDurability(Durability.FSYNC).build();
    try (ShardLog log = ShardLog.open(dir, config)) {
      for (int i = 0; i < 50; i++) {
        assertThat(log.append(i, (byte) 0, batch(i * 5L, 5))).isEqualTo(i * 5L);
      }
      assertThat(log.endOffset()).isEqualTo(250);
    }
    try (ShardLog log = ShardLog.open(dir, config)) {
      assertThat(readAll(log)).hasSize(250);
    }
  }

  @Test
  void deleteAllRemovesTheDirectory() throws IOException {
    Path shard = dir.resolve("s");
    ShardLog log = ShardLog.open(shard, LogConfig.defaults());
    log.append(1, (byte) 0, batch(0, 1));
    assertThat(log.sizeInBytes()).isPositive();
    log.deleteAll();
    assertThat(shard).doesNotExist();
  }

  @Test
  void largestRecordsRoundTripThroughSmallReads() throws IOException {
    byte[] key = new byte[LogEntry.MAX_KEY_BYTES];
    byte[] value = new byte[LogEntry.MAX_VALUE_BYTES];
    new java.util.Random(7).nextBytes(value);
    key[key.length - 1] = 9;
    try (ShardLog log = ShardLog.open(dir, LogConfig.defaults())) {
      log.append(1, (byte) 0, batch(0, 1));
      log.append(1, (byte) 0, List.of(LogEntry.of(key, value), LogEntry.of(key, value)));
      log.append(1, (byte) 0, batch(3, 1));
    }
    try (ShardLog log = ShardLog.open(dir, LogConfig.defaults())) {
      assertThat(log.endOffset()).isEqualTo(4);
      LogReadResult result = log.read(0, 10, 100);
      assertThat(result.records()).hasSize(1);
      assertThat(log.read(1, 10, 100).records()).hasSize(1);
      List<LogRecord> all = log.read(0, 10, Long.MAX_VALUE).records();
      assertThat(all).hasSize(4);
      assertThat(all.get(2).key()).isEqualTo(key);
      assertThat(all.get(2).value()).isEqualTo(value);
      assertRecord(all.get(3), 3);
    }
  }

  @Test
  void rejectsOversizedEntriesAndBadSettings() {
    assertThatThrownBy(() -> LogEntry.of(new byte[64 * 1024 + 1], new byte[0]))
        .hasMessageContaining("key must be at most 65536 bytes");
    assertThatThrownBy(() -> LogConfig.builder().setSegmentBytes(10).build())
        .hasMessageContaining("segmentBytes must be at least");
  }

  static void flipByte(Path file, long position) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      channel.read(b, position);
      b.put(0, (byte) (b.get(0) ^ 0x5a));
      b.rewind();
      channel.write(b, position);
    }
  }
}
