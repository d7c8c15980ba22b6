package dev.freshet.kinesis.log;

import static dev.freshet.kinesis.log.RecordFormat.HEADER_SIZE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One segment file of a {@link ShardLog}: its channel, its sparse index and its sizes.
 *
 * <p>The channel survives interrupts: {@link FileChannel} closes itself when a thread blocked in
 * it is interrupted, which would break the log for every other thread, so each operation here
 * runs with the interrupt flag cleared, reopens the channel if an interrupt closed it anyway and
 * repeats the (positional, hence idempotent) operation, then restores the flag.
 *
 * <p>The segment is reference counted: the log holds one reference until it retires the segment,
 * each reader one while it reads, and the channel closes when the count reaches zero.
 */
final class Segment {
  private static final int INDEX_STRIDE = 3; // offset, position, timestamp

  private final LogFiles files;
  private final Path file;
  private final long baseOffset;
  private final long baseTimestamp;
  private final Object channelLock = new Object();
  private volatile FileChannel channel;
  private final AtomicInteger refs = new AtomicInteger(1);

  // Written only by the appender, under the log's append lock.
  long writtenSize;
  long firstTimestamp = -1;
  private long bytesSinceIndexEntry;

  /** Bytes from the file start that readers may read: whole, published frames. */
  volatile long visibleSize;

  // Sparse index; one writer (the appender, or whoever holds `indexing` for an older segment).
  private volatile long[] index = new long[INDEX_STRIDE * 16];
  private volatile int indexEntries;
  private volatile boolean indexed;

  // An older segment opened from disk is indexed as it is read (see indexer()), under `indexing`.
  private final ReentrantLock indexing = new ReentrantLock();
  /** Start of the first frame the index has not passed yet; written under `indexing`. */
  private volatile long indexedUpTo = HEADER_SIZE;
  /** Offset of that frame. */
  private long indexedUpToOffset;
  private long bytesSinceLazyEntry = Long.MAX_VALUE;

  private Segment(
      LogFiles files, Path file, long baseOffset, long baseTimestamp, FileChannel channel) {
    this.files = files;
    this.file = file;
    this.baseOffset = baseOffset;
    this.baseTimestamp = baseTimestamp;
    this.channel = channel;
    this.indexedUpToOffset = baseOffset;
  }

  static String fileName(long baseOffset) {
    return String.format("%020d.log", baseOffset);
  }

  /** Creates an empty segment with its header; forces file and directory if {@code force}. */
  static Segment create(
      LogFiles files, Path dir, long baseOffset, long baseTimestamp, boolean force)
      throws IOException {
    Path file = dir.resolve(fileName(baseOffset));
    FileChannel channel =
        files.open(
            file,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    Segment segment = new Segment(files, file, baseOffset, baseTimestamp, channel);
    segment.writeFully(RecordFormat.header(baseOffset, baseTimestamp), 0);
    if (force) {
      segment.force();
      files.forceDirectory(dir);
    }
    segment.writtenSize = HEADER_SIZE;
    segment.visibleSize = HEADER_SIZE;
    segment.indexed = true;
    return segment;
  }

  /** Opens an existing segment whose header is sound; its index is built on first use. */
  static Segment open(LogFiles files, Path file, long baseOffset) throws IOException {
    FileChannel channel = files.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
      while (header.hasRemaining() && channel.read(header, header.position()) >= 0) {
        // read the whole header
      }
      header.flip();
      long baseTimestamp = RecordFormat.checkHeader(header, file.toString(), baseOffset);
      Segment segment = new Segment(files, file, baseOffset, baseTimestamp, channel);
      long size = channel.size();
      segment.writtenSize = size;
      segment.visibleSize = size;
      return segment;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  Path file() {
    return file;
  }

  long baseOffset() {
    return baseOffset;
  }

  /** The log's newest timestamp when this segment began, so the previous segment's newest. */
  long baseTimestamp() {
    return baseTimestamp;
  }

  // ---- references and channel ----

  boolean tryAcquire() {
    while (true) {
      int n = refs.get();
      if (n <= 0) {
        return false;
      }
      if (refs.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  void release() throws IOException {
    if (refs.decrementAndGet() == 0) {
      synchronized (channelLock) {
        channel.close();
      }
    }
  }

  private interface ChannelOp {
    void run(FileChannel channel) throws IOException;
  }

  private void io(ChannelOp op) throws IOException {
    boolean interrupted = false;
    try {
      while (true) {
        FileChannel current = channel;
        if (Thread.interrupted()) {
          interrupted = true;
        }
        try {
          op.run(current);
          return;
        } catch (ClosedChannelException e) {
          if (refs.get() <= 0) {
            throw e;
          }
          reopen(current);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void reopen(FileChannel closed) throws IOException {
    synchronized (channelLock) {
      if (channel == closed && refs.get() > 0) {
        channel = files.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
      }
    }
  }

  void readFully(ByteBuffer buf, long position) throws IOException {
    int start = buf.position();
    io(
        ch -> {
          while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position() - start) < 0) {
              throw new IOException(
                  "Unexpected end of " + file + " at position " + (position + buf.position()));
            }
          }
        });
  }

  void writeFully(ByteBuffer buf, long position) throws IOException {
    int start = buf.position();
    io(
        ch -> {
          while (buf.hasRemaining()) {
            ch.write(buf, position + buf.position() - start);
          }
        });
  }

  void force() throws IOException {
    io(ch -> ch.force(false));
  }

  void truncate(long size) throws IOException {
    io(ch -> ch.truncate(size));
    writtenSize = size;
    visibleSize = size;
  }

  // ---- sparse index ----

  /** Adds an index entry if enough bytes passed since the last one; appender only. */
  void indexFrame(long offset, long position, long timestamp, int frameSize, int interval) {
    if (indexEntries == 0 || bytesSinceIndexEntry >= interval) {
      addIndexEntry(offset, position, timestamp);
      bytesSinceIndexEntry = 0;
    }
    bytesSinceIndexEntry += frameSize;
  }

  private void addIndexEntry(long offset, long position, long timestamp) {
    int n = indexEntries;
    long[] entries = index;
    if ((n + 1) * INDEX_STRIDE > entries.length) {
      entries = Arrays.copyOf(entries, entries.length * 2);
    }
    entries[n * INDEX_STRIDE] = offset;
    entries[n * INDEX_STRIDE + 1] = position;
    entries[n * INDEX_STRIDE + 2] = timestamp;
    index = entries;
    indexEntries = n + 1; // publishes the entry and the array
  }

  /** Drops index entries at or after {@code position}; recovery only. */
  void trimIndex(long position) {
    int n = indexEntries;
    while (n > 0 && index[(n - 1) * INDEX_STRIDE + 1] >= position) {
      n--;
    }
    indexEntries = n;
  }

  /**
   * Returns {offset, position} of the last index entry at or before {@code offset}, or of the
   * first frame if there is none.
   */
  long[] floorByOffset(long offset) {
    int n = indexEntries; // read before the array: the array is at least this new
    long[] entries = index;
    int lo = 0;
    int hi = n - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (entries[mid * INDEX_STRIDE] <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) {
      return new long[] {baseOffset, HEADER_SIZE};
    }
    return new long[] {entries[found * INDEX_STRIDE], entries[found * INDEX_STRIDE + 1]};
  }

  /**
   * Returns {offset, position} of the last index entry whose timestamp is below {@code
   * timestamp}, or of the first frame if there is none.
   */
  long[] floorByTimestamp(long timestamp) {
    int n = indexEntries;
    long[] entries = index;
    int lo = 0;
    int hi = n - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (entries[mid * INDEX_STRIDE + 2] < timestamp) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) {
      return new long[] {baseOffset, HEADER_SIZE};
    }
    return new long[] {entries[found * INDEX_STRIDE], entries[found * INDEX_STRIDE + 1]};
  }

  /** Declares the index complete; recovery built it while scanning. */
  void markIndexed() {
    indexed = true;
  }

  boolean isIndexed() {
    return indexed;
  }

  /**
   * Lets a read of a segment opened from disk index the frames it passes, so that no read waits
   * for a whole segment to be scanned first (a 128 MiB segment takes a cold reader about a tenth of
   * a second): the read starts at the nearest entry the index has so far, and frames it checks at
   * and after the index's frontier become entries. Returns null when the segment is indexed, or
   * when another read is indexing it (that read then carries the frontier on). {@link
   * Indexer#close()} publishes what was passed and lets the next read index.
   */
  @Nullable Indexer indexer(int interval) {
    if (indexed || !indexing.tryLock()) {
      return null;
    }
    if (indexed) {
      indexing.unlock();
      return null;
    }
    return new Indexer(interval);
  }

  /** Extends the index with the frames a scan passes; holds {@code indexing} until closed. */
  final class Indexer implements AutoCloseable {
    private final int interval;
    private long frontier = indexedUpTo;
    private long frontierOffset = indexedUpToOffset;
    private long sinceEntry = bytesSinceLazyEntry;
    private boolean closed;

    private Indexer(int interval) {
      this.interval = interval;
    }

    /**
     * Takes a sound frame the scan checked. Frames before the frontier are indexed already; a scan
     * starts at an index entry (or the first frame), so it reaches the frontier frame by frame.
     */
    void frame(long position, long offset, long timestamp, int frameSize) {
      if (position != frontier) {
        return;
      }
      if (sinceEntry >= interval) {
        addIndexEntry(offset, position, timestamp);
        sinceEntry = 0;
      }
      sinceEntry += frameSize;
      frontier = position + frameSize;
      frontierOffset = offset + 1;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      indexedUpToOffset = frontierOffset;
      bytesSinceLazyEntry = sinceEntry;
      indexedUpTo = frontier;
      if (frontier >= visibleSize) {
        indexed = true;
      }
      indexing.unlock();
    }
  }
}
