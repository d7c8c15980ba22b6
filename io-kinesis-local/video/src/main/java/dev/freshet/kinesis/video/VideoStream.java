package dev.freshet.kinesis.video;

import dev.freshet.kinesis.log.LogEntry;
import dev.freshet.kinesis.log.LogReadResult;
import dev.freshet.kinesis.log.LogRecord;
import dev.freshet.kinesis.log.ShardLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One video stream: its description and its log, one batch per fragment. The batch's first record
 * has the fragment's metadata as key and its segment header as value; the cluster follows in
 * records of up to {@link #CHUNK_BYTES}. A fragment is therefore stored and recovered whole or not
 * at all, and its number is the offset of its first record. An index of the fragments' metadata
 * (a few dozen bytes each) is kept in memory, rebuilt from the log at open.
 */
final class VideoStream {
  static final int CHUNK_BYTES = LogEntry.MAX_VALUE_BYTES;
  private static final String META_VERSION = "v1";

  record Entry(FragmentInfo info, int chunks) {}

  final Path dir;
  final ShardLog log;
  private volatile VideoStreamInfo info;
  private final ConcurrentSkipListMap<Long, Entry> index = new ConcurrentSkipListMap<>();
  /** One PutMedia session at a time, as the service allows. */
  final AtomicBoolean ingesting = new AtomicBoolean();
  private volatile boolean deleted;
  // Guarded by this.
  private long lastServerTimestamp = -1;

  VideoStream(Path dir, ShardLog log, VideoStreamInfo info) throws IOException {
    this.dir = dir;
    this.log = log;
    this.info = info;
    rebuildIndex();
  }

  VideoStreamInfo info() {
    return info;
  }

  void setInfo(VideoStreamInfo info) {
    this.info = info;
  }

  private void rebuildIndex() throws IOException {
    long offset = log.startOffset();
    while (offset < log.endOffset()) {
      LogReadResult read = log.read(offset, 1, 0);
      if (read.records().isEmpty()) {
        break;
      }
      LogRecord first = read.records().get(0);
      Entry entry = decodeMeta(first.offset(), first.key());
      index.put(first.offset(), entry);
      lastServerTimestamp = Math.max(lastServerTimestamp, entry.info().serverTimestampMillis());
      offset = first.offset() + 1 + entry.chunks();
    }
  }

  /** Stores one fragment as one batch and returns what was stored; the server time never goes back. */
  FragmentInfo append(byte[] segmentHeader, byte[] cluster, long producerTimestamp, long fragmentTimecode,
      long durationMillis, long nowMillis) throws IOException {
    synchronized (this) {
      long serverTimestamp = Math.max(nowMillis, lastServerTimestamp);
      int chunks = Math.max(1, (cluster.length + CHUNK_BYTES - 1) / CHUNK_BYTES);
      String meta = String.join(" ", META_VERSION, Long.toString(producerTimestamp),
          Long.toString(serverTimestamp), Long.toString(fragmentTimecode), Long.toString(durationMillis),
          Long.toString(cluster.length), Integer.toString(chunks));
      List<LogEntry> entries = new ArrayList<>(chunks + 1);
      entries.add(LogEntry.of(meta.getBytes(StandardCharsets.US_ASCII), segmentHeader));
      for (int i = 0; i < chunks; i++) {
        int from = i * CHUNK_BYTES;
        int to = Math.min(cluster.length, from + CHUNK_BYTES);
        byte[] chunk = new byte[to - from];
        System.arraycopy(cluster, from, chunk, 0, chunk.length);
        entries.add(LogEntry.of(new byte[0], chunk));
      }
      long offset = log.append(serverTimestamp, (byte) 0, entries);
      lastServerTimestamp = serverTimestamp;
      FragmentInfo stored = FragmentInfo.of(FragmentNumbers.of(offset), producerTimestamp, serverTimestamp,
          fragmentTimecode, durationMillis, cluster.length);
      index.put(offset, new Entry(stored, chunks));
      notifyAll();
      return stored;
    }
  }

  private static Entry decodeMeta(long offset, byte[] key) throws IOException {
    String[] parts = new String(key, StandardCharsets.US_ASCII).split(" ");
    if (parts.length != 7 || !parts[0].equals(META_VERSION)) {
      throw new IOException("The record at offset " + offset + " is not a fragment's first record");
    }
    FragmentInfo info = FragmentInfo.of(FragmentNumbers.of(offset), Long.parseLong(parts[1]),
        Long.parseLong(parts[2]), Long.parseLong(parts[3]), Long.parseLong(parts[4]), Long.parseLong(parts[5]));
    return new Entry(info, Integer.parseInt(parts[6]));
  }

  /** The offset the next fragment will get. */
  long endOffset() {
    return log.endOffset();
  }

  @Nullable Entry entry(long offset) {
    return index.get(offset);
  }

  /** The first fragment at or after {@code offset}, if any. */
  Map.@Nullable Entry<Long, Entry> ceiling(long offset) {
    return index.ceilingEntry(offset);
  }

  /** All fragments in storage order. */
  Iterable<Entry> entries() {
    return index.values();
  }

  Fragment read(long offset) throws IOException {
    Entry entry = index.get(offset);
    if (entry == null) {
      throw VideoException.notFound("No fragment " + FragmentNumbers.of(offset) + " in stream "
          + info.streamName() + " (never stored, or expired by retention)");
    }
    LogReadResult read = log.read(offset, 1 + entry.chunks(), Long.MAX_VALUE);
    List<LogRecord> records = read.records();
    if (records.size() != 1 + entry.chunks() || records.get(0).offset() != offset) {
      throw VideoException.notFound("Fragment " + FragmentNumbers.of(offset) + " of stream "
          + info.streamName() + " expired while it was read");
    }
    ByteArrayOutputStream cluster = new ByteArrayOutputStream((int) entry.info().sizeInBytes());
    for (int i = 1; i < records.size(); i++) {
      cluster.writeBytes(records.get(i).value());
    }
    return Fragment.of(entry.info(), records.get(0).value(), cluster.toByteArray());
  }

  /**
   * Waits until a fragment at or after {@code offset} is stored, the stream is deleted or closed, or
   * the timeout passes; returns whether there is one.
   */
  boolean awaitFragment(long offset, long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    synchronized (this) {
      while (index.ceilingKey(offset) == null) {
        long left = deadline - System.nanoTime();
        if (deleted || left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    }
  }

  /** Retention: drops whole segments older than {@code cutoffMillis}, and their fragments from the index. */
  void expireBefore(long cutoffMillis) throws IOException {
    if (log.deleteSegmentsBefore(cutoffMillis) > 0) {
      index.headMap(log.startOffset()).clear();
    }
  }

  boolean isDeleted() {
    return deleted;
  }

  void markDeleted() {
    synchronized (this) {
      deleted = true;
      notifyAll();
    }
  }
}
