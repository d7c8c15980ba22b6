package dev.freshet.kinesis.log;

import static dev.freshet.kinesis.log.RecordFormat.HEADER_SIZE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the segments of a log directory and repairs the newest one: every frame is checked and the
 * file is truncated after the last whole batch, which drops a torn write, garbage or a corrupt
 * record together with everything after it in that segment.
 */
final class LogRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(ShardLog.class);
  private static final Pattern SEGMENT_NAME = Pattern.compile("(\\d{20})\\.log");

  final Segment[] segments;
  final long nextOffset;
  final long lastTimestamp;

  private LogRecovery(Segment[] segments, long nextOffset, long lastTimestamp) {
    this.segments = segments;
    this.nextOffset = nextOffset;
    this.lastTimestamp = lastTimestamp;
  }

  static LogRecovery run(Path dir, LogConfig config) throws IOException {
    boolean fsync = config.durability() == Durability.FSYNC;
    LogFiles logFiles = config.files();
    logFiles.createDirectories(dir);
    List<Long> bases = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(
          file -> {
            Matcher m = SEGMENT_NAME.matcher(file.getFileName().toString());
            if (m.matches()) {
              bases.add(Long.parseLong(m.group(1)));
            }
          });
    }
    bases.sort(null);
    if (bases.isEmpty()) {
      return new LogRecovery(
          new Segment[] {Segment.create(logFiles, dir, 0, -1, fsync)}, 0, -1);
    }
    List<Segment> opened = new ArrayList<>();
    try {
      for (int i = 0; i < bases.size() - 1; i++) {
        long base = bases.get(i);
        opened.add(Segment.open(logFiles, dir.resolve(Segment.fileName(base)), base));
      }
      Segment previous = opened.isEmpty() ? null : opened.get(opened.size() - 1);
      long base = bases.get(bases.size() - 1);
      Path file = dir.resolve(Segment.fileName(base));
      if (headerNeverWritten(logFiles, file)) {
        // A crash right after the segment file was created: no record can be in it.
        long baseTimestamp = previous == null ? -1 : newestTimestamp(previous);
        LOG.warn("Recreating segment {} whose header was never completely written", file);
        logFiles.deleteIfExists(file);
        opened.add(Segment.create(logFiles, dir, base, baseTimestamp, true));
        return new LogRecovery(opened.toArray(new Segment[0]), base, baseTimestamp);
      }
      Segment tail = Segment.open(logFiles, file, base);
      opened.add(tail);
      long[] end = recoverTail(tail, config.indexIntervalBytes());
      return new LogRecovery(opened.toArray(new Segment[0]), end[0], end[1]);
    } catch (IOException | RuntimeException e) {
      for (Segment segment : opened) {
        segment.release();
      }
      throw e;
    }
  }

  /** Returns {next offset, newest timestamp} after truncating the tail to its last whole batch. */
  private static long[] recoverTail(Segment tail, int interval) throws IOException {
    Path file = tail.file();
    long base = tail.baseOffset();
    long size = tail.visibleSize;
    long[] kept = {HEADER_SIZE, base, tail.baseTimestamp()}; // position, offset, timestamp
    long[] firstTimestamp = {-1};
    FrameScanner scanner = FrameScanner.pooled();
    try {
      scanner.scan(
          tail,
          HEADER_SIZE,
          base,
          size,
          Long.MAX_VALUE,
          (buf, at, position, offset, timestamp, frameSize) -> {
            if (firstTimestamp[0] < 0) {
              firstTimestamp[0] = timestamp;
            }
            tail.indexFrame(offset, position, timestamp, frameSize, interval);
            if ((buf.get(at + RecordFormat.FLAGS_AT) & RecordFormat.FLAG_END_OF_BATCH) != 0) {
              kept[0] = position + frameSize;
              kept[1] = offset + 1;
              kept[2] = timestamp;
            }
            return true;
          });
    } finally {
      scanner.release();
    }
    if (kept[0] < size) {
      LOG.warn(
          "Truncating torn or corrupt tail of {} from {} to {} bytes ({}); the log continues at"
              + " offset {}",
          file,
          size,
          kept[0],
          scanner.corruption != null ? scanner.corruption : "incomplete batch",
          kept[1]);
      tail.truncate(kept[0]);
      tail.force();
      tail.trimIndex(kept[0]);
    }
    tail.writtenSize = kept[0];
    tail.firstTimestamp = kept[0] > HEADER_SIZE ? firstTimestamp[0] : -1;
    tail.markIndexed();
    return new long[] {kept[1], kept[2]};
  }

  private static boolean headerNeverWritten(LogFiles logFiles, Path file) throws IOException {
    byte[] head;
    try (FileChannel channel = logFiles.open(file, StandardOpenOption.READ)) {
      if (channel.size() < HEADER_SIZE) {
        return true;
      }
      ByteBuffer buf = ByteBuffer.allocate(HEADER_SIZE);
      while (buf.hasRemaining() && channel.read(buf, buf.position()) >= 0) {
        // read the header
      }
      head = buf.array();
    }
    for (byte b : head) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static long newestTimestamp(Segment segment) throws IOException {
    long[] newest = {segment.baseTimestamp()};
    FrameScanner scanner = FrameScanner.pooled();
    try {
      scanner.scan(
          segment,
          HEADER_SIZE,
          segment.baseOffset(),
          segment.visibleSize,
          Long.MAX_VALUE,
          (buf, at, position, offset, timestamp, frameSize) -> {
            newest[0] = timestamp;
            return true;
          });
      scanner.throwIfCorrupt(segment);
    } finally {
      scanner.release();
    }
    return newest[0];
  }
}
