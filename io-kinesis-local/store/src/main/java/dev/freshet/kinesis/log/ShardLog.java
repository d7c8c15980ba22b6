package dev.freshet.kinesis.log;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static dev.freshet.kinesis.log.RecordFormat.FRAME_OVERHEAD;
import static dev.freshet.kinesis.log.RecordFormat.HEADER_SIZE;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable, append-only log of one shard: records with consecutive offsets from 0, in segment
 * files {@code <20-digit base offset>.log} in one directory. Internal to the store.
 *
 * <pre>{@code
 * try (ShardLog log = ShardLog.open(dir, LogConfig.builder().setDurability(Durability.FSYNC).build())) {
 *   long first = log.append(System.currentTimeMillis(), (byte) 0, List.of(LogEntry.of(key, value)));
 *   LogReadResult result = log.read(first, 10_000, 10 << 20);
 * }
 * }</pre>
 *
 * <h2>Writes</h2>
 *
 * An append serializes the whole batch into one reusable direct buffer and writes it with one
 * positional write. With {@link Durability#FSYNC} appenders then meet in a group commit: one of
 * them forces the file for everyone written so far while the others wait, so the number of forces
 * follows the disk's speed, not the number of appends. Records become visible to readers only
 * when durable in the configured sense, and a batch becomes visible, and survives a crash, whole
 * or not at all (its last frame is marked end-of-batch and recovery truncates to the last mark).
 *
 * <h2>Reads</h2>
 *
 * Reads go to the files (the page cache) with large positional reads, never to copies on the heap,
 * so a log may be far larger than the heap. Each frame's CRC32C is checked; a bad one fails the
 * read with an {@link IOException} naming the file and position.
 *
 * <h2>Recovery</h2>
 *
 * {@link #open} scans the newest segment, checks every frame and truncates a torn or corrupt tail
 * (with a warning), keeping whole batches only. Older segments are checked when first read.
 *
 * <h2>Threads</h2>
 *
 * All methods are thread-safe. Appends serialize on one lock held for the write only; reads take
 * no lock, and hold a reference to each segment they read so retention may delete it under them.
 */
public final class ShardLog implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(ShardLog.class);

  static final String SEALED_MARKER = "SEALED";
  private static final int MAX_RETAINED_WRITE_BUFFER = 8 << 20;

  /** What has been written and where; published to readers once durable. */
  private static final class Mark {
    final Segment segment;
    final long size;
    final long endOffset;
    final long lastTimestamp;

    Mark(Segment segment, long size, long endOffset, long lastTimestamp) {
      this.segment = segment;
      this.size = size;
      this.endOffset = endOffset;
      this.lastTimestamp = lastTimestamp;
    }
  }

  private final Path dir;
  private final LogConfig config;
  private final boolean fsync;

  private final ReentrantLock appendLock = new ReentrantLock();
  // Appender state, guarded by appendLock.
  private long nextOffset;
  private long writtenLastTimestamp;
  private ByteBuffer writeBuffer;
  private final CRC32C writeCrc = new CRC32C();
  private volatile Mark written;

  private final ReentrantLock commitLock = new ReentrantLock();
  /** Signalled when data becomes visible, on seal, on close and on a failed force. */
  private final Condition changed = commitLock.newCondition();
  // Guarded by commitLock.
  private int waiters;
  private boolean syncing;

  /** Oldest first; the last is the active segment. Copy-on-write under appendLock. */
  private volatile Segment[] segments;
  private volatile long visibleEnd;
  private volatile long visibleLastTimestamp;
  private volatile boolean sealed;
  private volatile boolean closed;
  private volatile IOException failure;

  private ShardLog(Path dir, LogConfig config) {
    this.dir = dir;
    this.config = config;
    this.fsync = config.durability() == Durability.FSYNC;
  }

  /**
   * Opens the log in {@code dir}, creating the directory if missing, and recovers it: the newest
   * segment is scanned and a torn or corrupt tail is truncated.
   */
  public static ShardLog open(Path dir, LogConfig config) throws IOException {
    checkNotNull(dir, "dir");
    checkNotNull(config, "config");
    ShardLog log = new ShardLog(dir, config);
    log.recover();
    return log;
  }

  private void recover() throws IOException {
    LogRecovery recovered = LogRecovery.run(dir, config);
    segments = recovered.segments;
    nextOffset = recovered.nextOffset;
    writtenLastTimestamp = recovered.lastTimestamp;
    visibleEnd = nextOffset;
    visibleLastTimestamp = writtenLastTimestamp;
    sealed = Files.exists(dir.resolve(SEALED_MARKER));
  }

  // ---- writes ----

  /**
   * Appends all entries with consecutive offsets and returns the first one. Every entry gets the
   * timestamp {@code max(timestampMillis, lastTimestampMillis())}. On return the records are
   * visible to readers and durable per the configured {@link Durability}; a batch survives a
   * crash whole or not at all. Returns {@link #endOffset()} without writing if {@code entries} is
   * empty.
   *
   * @throws LogSealedException if the log is sealed
   * @throws IllegalStateException if the log is closed
   * @throws IOException if writing failed; the log then refuses appends until reopened
   */
  public long append(long timestampMillis, byte attributes, List<LogEntry> entries)
      throws IOException {
    return append(() -> timestampMillis, attributes, entries);
  }

  /**
   * As {@link #append(long, byte, List)}, with the timestamp read from {@code clock} while the
   * append holds the log, so that a reader told by {@link #appendingAt} that nothing is under way
   * knows every record it has not seen is stamped at or after that answer. A store stamps arrival
   * times this way.
   */
  public long append(LongSupplier clock, byte attributes, List<LogEntry> entries)
      throws IOException {
    checkNotNull(clock, "clock");
    checkNotNull(entries, "entries");
    long batchBytes = 0;
    for (LogEntry entry : entries) {
      batchBytes += RecordFormat.frameSize(entry);
    }
    checkArgument(
        batchBytes <= Integer.MAX_VALUE - 8,
        "a batch must be smaller than 2 GiB, but was: %s bytes",
        batchBytes);
    int size = (int) batchBytes;
    Mark mark;
    long first;
    appendLock.lock();
    try {
      ensureWritable();
      if (entries.isEmpty()) {
        return nextOffset;
      }
      long timestamp = Math.max(clock.getAsLong(), writtenLastTimestamp);
      Segment active = segments[segments.length - 1];
      if (active.writtenSize > HEADER_SIZE
          && (active.writtenSize + size > config.segmentBytes()
              || timestamp - active.firstTimestamp > config.segmentMaxAgeMillis())) {
        roll();
        active = segments[segments.length - 1];
      }
      ByteBuffer buf = writeBuffer(size);
      first = nextOffset;
      long position = active.writtenSize;
      long offset = first;
      int interval = config.indexIntervalBytes();
      int last = entries.size() - 1;
      for (int i = 0; i <= last; i++) {
        LogEntry entry = entries.get(i);
        int at = buf.position();
        RecordFormat.writeFrame(
            buf,
            writeCrc,
            offset,
            timestamp,
            i == last ? RecordFormat.FLAG_END_OF_BATCH : 0,
            attributes,
            entry.key(),
            entry.value());
        active.indexFrame(offset, position + at, timestamp, buf.position() - at, interval);
        offset++;
      }
      buf.flip();
      try {
        active.writeFully(buf, position);
      } catch (IOException e) {
        throw fail(e);
      }
      active.writtenSize = position + size;
      if (active.firstTimestamp < 0) {
        active.firstTimestamp = timestamp;
      }
      nextOffset = offset;
      writtenLastTimestamp = timestamp;
      mark = new Mark(active, position + size, offset, timestamp);
      written = mark;
      if (!fsync) {
        publish(mark);
      }
    } finally {
      appendLock.unlock();
    }
    if (fsync) {
      awaitDurable(mark);
    }
    return first;
  }

  private ByteBuffer writeBuffer(int size) {
    if (writeBuffer != null && writeBuffer.capacity() >= size) {
      return writeBuffer.clear();
    }
    if (size > MAX_RETAINED_WRITE_BUFFER) {
      return ByteBuffer.allocateDirect(size);
    }
    int previous = writeBuffer == null ? 32 * 1024 : writeBuffer.capacity();
    int capacity = Math.max(size, Math.min(MAX_RETAINED_WRITE_BUFFER, 2 * previous));
    writeBuffer = ByteBuffer.allocateDirect(capacity);
    return writeBuffer;
  }

  private void ensureWritable() throws IOException {
    ensureOpen();
    if (failure != null) {
      throw new IOException(
          "Log " + dir + " failed earlier and refuses appends until reopened", failure);
    }
    if (sealed) {
      throw new LogSealedException("Log " + dir + " is sealed at offset " + nextOffset);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("Log " + dir + " is closed");
    }
  }

  private IOException fail(IOException e) {
    failure = e;
    commitLock.lock();
    try {
      changed.signalAll();
    } finally {
      commitLock.unlock();
    }
    return e;
  }

  /**
   * Starts a new segment at the next offset. The old one is forced first, in both durability
   * modes, and everything in it published, so no record of the new segment is acknowledged before
   * the old one is on disk. Under appendLock.
   */
  private void roll() throws IOException {
    Segment old = segments[segments.length - 1];
    try {
      old.force();
    } catch (IOException e) {
      throw fail(e);
    }
    Mark mark = written;
    if (mark != null) {
      publish(mark);
    }
    Segment next = Segment.create(config.files(), dir, nextOffset, writtenLastTimestamp, fsync);
    Segment[] rolled = Arrays.copyOf(segments, segments.length + 1);
    rolled[rolled.length - 1] = next;
    segments = rolled;
  }

  /** Makes what {@code mark} covers visible, unless something newer already is. */
  private void publish(Mark mark) {
    commitLock.lock();
    try {
      publishLocked(mark);
    } finally {
      commitLock.unlock();
    }
  }

  private void publishLocked(Mark mark) {
    if (mark.endOffset <= visibleEnd) {
      return;
    }
    // Size before end: a reader reads visibleEnd first, then finds every frame below it whole.
    mark.segment.visibleSize = mark.size;
    visibleLastTimestamp = mark.lastTimestamp;
    visibleEnd = mark.endOffset;
    if (waiters > 0) {
      changed.signalAll();
    }
  }

  /**
   * Group commit: returns once {@code mine} is durable and visible. Whoever finds no force under
   * way forces everything written so far, for all waiting appenders at once.
   */
  private void awaitDurable(Mark mine) throws IOException {
    commitLock.lock();
    try {
      while (visibleEnd < mine.endOffset) {
        if (failure != null) {
          throw new IOException("Log " + dir + " failed to force", failure);
        }
        if (syncing) {
          waiters++;
          try {
            changed.awaitUninterruptibly();
          } finally {
            waiters--;
          }
          continue;
        }
        syncing = true;
        Mark target = written;
        IOException error = null;
        commitLock.unlock();
        try {
          force(target.segment);
        } catch (IOException e) {
          error = e;
        } finally {
          commitLock.lock();
          syncing = false;
        }
        if (error != null) {
          failure = error;
          changed.signalAll();
          throw error;
        }
        publishLocked(target);
        changed.signalAll(); // wakes a waiter to lead the next force if it is not covered
      }
    } finally {
      commitLock.unlock();
    }
  }

  private static void force(Segment segment) throws IOException {
    if (!segment.tryAcquire()) {
      return; // retired, hence rolled, hence forced at the roll
    }
    try {
      segment.force();
    } finally {
      segment.release();
    }
  }

  // ---- reads ----

  /**
   * Reads records with offsets from {@code max(fromOffset, startOffset())} up to {@link
   * #endOffset()}: at most {@code maxRecords}, and no more than {@code maxBytes} of keys and
   * values except that the first record is returned whatever its size. Never returns part of a
   * batch that is not yet committed.
   *
   * @throws IOException if a record on the way is corrupt (naming the file and position)
   */
  public LogReadResult read(long fromOffset, int maxRecords, long maxBytes) throws IOException {
    // Sized once for what is visible (as the read was before it shared the scan with frames()).
    long visible = Math.max(0, visibleEnd - fromOffset);
    List<LogRecord> records = new ArrayList<>((int) Math.min(maxRecords, Math.min(visible, 4096)));
    long next = scan(fromOffset, maxRecords, maxBytes, (buf, at, frameSize) -> {
      records.add(RecordFormat.decode(buf, at));
      return true;
    });
    return LogReadResult.of(records, next);
  }

  /**
   * Receives the sound frames of a {@link #frames} read in offset order, read through {@link
   * LogFrame}; a frame's bytes are valid only during the call.
   */
  public interface FrameVisitor {
    /** Takes the frame of {@code frameSize} bytes at {@code at} in {@code buf}; false stops the read before it. */
    boolean frame(ByteBuffer buf, int at, int frameSize) throws IOException;
  }

  /**
   * As {@link #read}, handing each frame to {@code visitor} where it lies in the read buffer
   * instead of copying its key and value out: for a reader that copies them somewhere else once.
   * Returns the offset to read from next: one past the last frame the visitor took.
   */
  public long frames(long fromOffset, int maxRecords, long maxBytes, FrameVisitor visitor) throws IOException {
    return scan(fromOffset, maxRecords, maxBytes, visitor);
  }

  private long scan(long fromOffset, int maxRecords, long maxBytes, FrameVisitor sink) throws IOException {
    checkArgument(maxRecords > 0, "maxRecords must be positive, but was: %s", maxRecords);
    checkArgument(maxBytes >= 0, "maxBytes must not be negative, but was: %s", maxBytes);
    ensureOpen();
    long end = visibleEnd;
    Segment[] segs = segments;
    long next = Math.max(fromOffset, segs[0].baseOffset());
    if (next >= end) {
      return next;
    }
    int[] taken = {0};
    long[] bytes = {0};
    long[] takenNext = {next};
    boolean[] full = {false};
    long[] from = {next};
    FrameScanner.Visitor visitor =
        new FrameScanner.Visitor() {
          @Override
          public boolean done(long offset, int frameSize) {
            if (offset < from[0]) {
              return false;
            }
            if (offset >= end
                || taken[0] >= maxRecords
                || (taken[0] > 0 && bytes[0] + frameSize - FRAME_OVERHEAD > maxBytes)) {
              full[0] = true;
              return true;
            }
            return false;
          }

          @Override
          public boolean visit(
              ByteBuffer buf, int at, long position, long offset, long timestamp, int frameSize)
              throws IOException {
            if (offset >= from[0]) {
              if (!sink.frame(buf, at, frameSize)) {
                full[0] = true;
                return false;
              }
              taken[0]++;
              takenNext[0] = offset + 1;
              bytes[0] += frameSize - FRAME_OVERHEAD;
            }
            return true;
          }
        };
    FrameScanner scanner = FrameScanner.pooled();
    try {
      while (next < end && !full[0]) {
        ensureOpen();
        Segment segment = floorSegment(segs, next);
        if (segment == null) {
          // Retention deleted the segment in between: continue at the new start.
          segs = segments;
          next = Math.max(next, segs[0].baseOffset());
          continue;
        }
        if (!segment.tryAcquire()) {
          segs = segments;
          continue;
        }
        // A segment opened from disk is indexed by the reads that pass through it (Segment.indexer).
        Segment.Indexer indexer = segment.isIndexed() ? null : segment.indexer(config.indexIntervalBytes());
        try {
          long[] entry = segment.floorByOffset(next);
          long limit = segment.visibleSize;
          long firstRead =
              (next - entry[0]) * FRAME_OVERHEAD
                  + config.indexIntervalBytes()
                  + Math.min(maxBytes, (long) maxRecords * 1024)
                  + (long) maxRecords * FRAME_OVERHEAD;
          from[0] = next;
          scanner.scan(segment, entry[1], entry[0], limit, firstRead, indexer == null ? visitor : indexing(visitor, indexer));
          scanner.throwIfCorrupt(segment);
          if (full[0] || scanner.nextOffset <= next) {
            break; // budget reached, or nothing at or after next below the visible end
          }
          next = scanner.nextOffset;
        } finally {
          if (indexer != null) {
            indexer.close();
          }
          segment.release();
        }
      }
    } finally {
      scanner.release();
    }
    return taken[0] == 0 ? next : takenNext[0];
  }

  /** {@code visitor}, handing every sound frame to {@code indexer} first. */
  private static FrameScanner.Visitor indexing(FrameScanner.Visitor visitor, Segment.Indexer indexer) {
    return new FrameScanner.Visitor() {
      @Override
      public boolean visit(ByteBuffer buf, int at, long position, long offset, long timestamp, int frameSize)
          throws IOException {
        indexer.frame(position, offset, timestamp, frameSize);
        return visitor.visit(buf, at, position, offset, timestamp, frameSize);
      }

      @Override
      public boolean done(long offset, int frameSize) {
        return visitor.done(offset, frameSize);
      }
    };
  }

  private static Segment floorSegment(Segment[] segs, long offset) {
    int lo = 0;
    int hi = segs.length - 1;
    Segment found = null;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (segs[mid].baseOffset() <= offset) {
        found = segs[mid];
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** How many of the log's segments have a complete index: for tests of lazy indexing. */
  int indexedSegments() {
    int indexed = 0;
    for (Segment segment : segments) {
      if (segment.isIndexed()) {
        indexed++;
      }
    }
    return indexed;
  }

  /**
   * Returns the first offset whose timestamp is at or after {@code timestampMillis}, or {@link
   * #endOffset()} if there is none.
   */
  public long offsetForTimestamp(long timestampMillis) throws IOException {
    ensureOpen();
    long end = visibleEnd;
    if (visibleLastTimestamp < timestampMillis) {
      return end;
    }
    Segment[] segs = segments;
    long[] found = {-1};
    for (int i = 0; i < segs.length; i++) {
      Segment segment = segs[i];
      long newest = i + 1 < segs.length ? segs[i + 1].baseTimestamp() : Long.MAX_VALUE;
      if (newest < timestampMillis || !segment.tryAcquire()) {
        continue;
      }
      FrameScanner scanner = FrameScanner.pooled();
      // As for reads: an older segment's index so far gives the start (timestamps never decrease
      // in a log, so the answer is at or after the last entry older than the time), and the scan
      // indexes what it passes beyond the frontier.
      Segment.Indexer indexer = segment.isIndexed() ? null : segment.indexer(config.indexIntervalBytes());
      try {
        long[] entry = segment.floorByTimestamp(timestampMillis);
        FrameScanner.Visitor visitor = (buf, at, position, offset, timestamp, frameSize) -> {
          if (offset >= end) {
            found[0] = end;
            return false;
          }
          if (timestamp >= timestampMillis) {
            found[0] = offset;
            return false;
          }
          return true;
        };
        scanner.scan(
            segment,
            entry[1],
            entry[0],
            segment.visibleSize,
            config.indexIntervalBytes() * 2L,
            indexer == null ? visitor : indexing(visitor, indexer));
        scanner.throwIfCorrupt(segment);
      } finally {
        if (indexer != null) {
          indexer.close();
        }
        scanner.release();
        segment.release();
      }
      if (found[0] >= 0) {
        return found[0];
      }
    }
    return end;
  }

  // ---- state ----

  /** The first offset still stored; moves up with {@link #deleteSegmentsBefore}. */
  public long startOffset() {
    return segments[0].baseOffset();
  }

  /** The offset the next record will get, which is also the end (exclusive) of what is visible. */
  public long endOffset() {
    return visibleEnd;
  }

  /**
   * Whether records at or after {@code offset} may be on their way: an append holds the log (its
   * timestamp taken, its records not yet written), or records are written but not yet visible (a
   * group commit's fsync under way). When this answers false, every record at or after {@code
   * offset} is appended later and, when stamped by {@link #append(LongSupplier, byte, List)},
   * stamped no earlier than this call. Non-blocking.
   */
  public boolean appendingAt(long offset) {
    if (appendLock.isLocked()) {
      return true;
    }
    // Read after the lock's state: an append that has let go of the lock set this before.
    Mark mark = written;
    return mark != null && mark.endOffset > offset;
  }

  /** The timestamp of the newest committed record, or -1 if nothing was ever appended. */
  public long lastTimestampMillis() {
    return visibleLastTimestamp;
  }

  /** Bytes of the segment files, headers included. */
  public long sizeInBytes() {
    long size = 0;
    for (Segment segment : segments) {
      size += segment.visibleSize;
    }
    return size;
  }

  public boolean isSealed() {
    return sealed;
  }

  /**
   * Forces everything written so far, and the log's directory, to the device, whatever the
   * durability, and returns {@link #endOffset()}, which then survives a loss of power. A reshard
   * calls it before it records a parent's end, so that the recorded end is never above what the
   * parent's log holds after a crash.
   *
   * @throws IOException if forcing failed; the log then refuses appends until reopened
   */
  public long force() throws IOException {
    appendLock.lock();
    try {
      ensureOpen();
      if (failure != null) {
        throw new IOException("Log " + dir + " failed earlier and cannot be forced", failure);
      }
      try {
        segments[segments.length - 1].force();
        config.files().forceDirectory(dir);
      } catch (IOException e) {
        throw fail(e);
      }
      Mark mark = written;
      if (mark != null) {
        publish(mark);
      }
      return visibleEnd;
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * Closes the log for appends, forcing its data, and returns {@link #endOffset()}. Idempotent;
   * the sealed state is kept in a marker file and so survives reopening.
   */
  public long seal() throws IOException {
    appendLock.lock();
    try {
      ensureOpen();
      if (!sealed) {
        if (failure != null) {
          throw new IOException("Log " + dir + " failed earlier and cannot be sealed", failure);
        }
        segments[segments.length - 1].force();
        Mark mark = written;
        if (mark != null) {
          publish(mark);
        }
        Path marker = dir.resolve(SEALED_MARKER);
        if (!Files.exists(marker)) {
          config.files().createFile(marker);
        }
        config.files().forceDirectory(dir);
        sealed = true;
        commitLock.lock();
        try {
          changed.signalAll();
        } finally {
          commitLock.unlock();
        }
      }
      return visibleEnd;
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * Retention: deletes, oldest first, every whole segment whose newest record is older than
   * {@code timestampMillis}; if that holds for the active segment too, a new empty segment is
   * started first so that it can go. Returns how many segments were deleted. Readers in a deleted
   * segment finish their read; its file closes when the last of them is done.
   */
  public int deleteSegmentsBefore(long timestampMillis) throws IOException {
    appendLock.lock();
    try {
      ensureOpen();
      Segment active = segments[segments.length - 1];
      if (active.writtenSize > HEADER_SIZE
          && writtenLastTimestamp < timestampMillis
          && failure == null) {
        roll();
      }
      Segment[] segs = segments;
      int expired = 0;
      // A segment's newest record is the newest of the log when the next segment began.
      while (expired < segs.length - 1 && segs[expired + 1].baseTimestamp() < timestampMillis) {
        expired++;
      }
      if (expired == 0) {
        return 0;
      }
      segments = Arrays.copyOfRange(segs, expired, segs.length);
      for (int i = 0; i < expired; i++) {
        config.files().deleteIfExists(segs[i].file());
        segs[i].release();
      }
      LOG.debug("Deleted {} segments of {} before {}", expired, dir, timestampMillis);
      return expired;
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * Waits until {@link #endOffset()} is above {@code offset}, the log is sealed or closed, or the
   * timeout passes; returns whether {@link #endOffset()} is above {@code offset}. Wakes as soon as
   * new records are committed.
   */
  public boolean awaitEndOffsetAbove(long offset, long timeout, TimeUnit unit)
      throws InterruptedException {
    if (visibleEnd > offset) {
      return true;
    }
    long nanos = unit.toNanos(timeout);
    commitLock.lockInterruptibly();
    try {
      waiters++;
      try {
        while (visibleEnd <= offset) {
          if (sealed || closed || nanos <= 0) {
            return false;
          }
          nanos = changed.awaitNanos(nanos);
        }
        return true;
      } finally {
        waiters--;
      }
    } finally {
      commitLock.unlock();
    }
  }

  /** Closes the log and deletes its directory with everything in it. */
  public void deleteAll() throws IOException {
    close();
    config.files().deleteRecursively(dir);
  }

  /** Forces what was written, then closes the files (each once its last reader is done). */
  @Override
  public void close() throws IOException {
    appendLock.lock();
    try {
      if (closed) {
        return;
      }
      IOException error = null;
      if (failure == null) {
        try {
          segments[segments.length - 1].force();
          Mark mark = written;
          if (mark != null) {
            publish(mark);
          }
        } catch (IOException e) {
          error = e;
          fail(e); // appenders waiting for a group commit must not wait for ever
        }
      }
      closed = true;
      for (Segment segment : segments) {
        try {
          segment.release();
        } catch (IOException e) {
          if (error == null) {
            error = e;
          } else {
            error.addSuppressed(e);
          }
        }
      }
      commitLock.lock();
      try {
        changed.signalAll();
      } finally {
        commitLock.unlock();
      }
      if (error != null) {
        throw error;
      }
    } finally {
      appendLock.unlock();
    }
  }

  @Override
  public String toString() {
    return "ShardLog[" + dir + "]";
  }
}
