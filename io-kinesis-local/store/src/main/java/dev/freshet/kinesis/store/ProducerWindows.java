package dev.freshet.kinesis.store;

import dev.freshet.kinesis.log.LogReadResult;
import dev.freshet.kinesis.log.LogRecord;
import dev.freshet.kinesis.log.ShardLog;
import java.io.IOException;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What each producer wrote to one shard, for idempotent puts: per producer, the last {@value
 * #WINDOW} sequences it wrote (with their offsets) and the highest sequence it forgot (the floor).
 * A sequence in the window is a duplicate whose original is known; one at or below the floor is
 * taken as written; anything else is new.
 *
 * <p>Kept only in memory, and rebuilt from the shard's log (the {@link ProducerHeader}s of its
 * records) when a shard first takes an idempotent write after the store opened. Rebuilding inserts
 * the logged sequences in log order exactly as the live writes did, so the rebuilt state is the one
 * the store had, minus what retention deleted; and since it is made from the log, it never claims a
 * record that a crash cut off. Idempotent appends to a shard hold {@link #lock} from the check to
 * the update, so two repeats of a record racing each other cannot both be appended, and a repeat is
 * only acknowledged once its original is durable.
 */
final class ProducerWindows {
  /** Sequences kept exactly per producer and shard: how late a retried record may arrive. */
  static final int WINDOW = 2048;

  private static final int REBUILD_RECORDS = 10_000;
  private static final long REBUILD_BYTES = 16L << 20;

  final ReentrantLock lock = new ReentrantLock();

  private final Map<String, Window> byProducer = new HashMap<>();
  private boolean loaded;

  private static final class Window {
    final TreeMap<BigInteger, Long> recent = new TreeMap<>();
    BigInteger floor;
    long lastOffset = -1;
  }

  /** Reads the shard's log once; the caller holds {@link #lock}. */
  void ensureLoaded(ShardLog log) throws IOException {
    if (loaded) {
      return;
    }
    long from = log.startOffset();
    long end = log.endOffset();
    while (from < end) {
      LogReadResult page = log.read(from, REBUILD_RECORDS, REBUILD_BYTES);
      if (page.records().isEmpty()) {
        break;
      }
      for (LogRecord record : page.records()) {
        if ((record.attributes() & StreamState.PRODUCER) != 0) {
          ProducerHeader.Parsed header = ProducerHeader.parse(record.value());
          if (header.producerId() != null) {
            record(header.producerId(), header.sequence(), record.offset());
          }
        }
      }
      from = page.nextOffset();
    }
    loaded = true;
  }

  /**
   * The offset of the record {@code producerId} wrote at {@code sequence}; for a sequence at or below
   * the floor, the offset of the producer's latest record here; -1 if it was not written.
   */
  long find(String producerId, BigInteger sequence) {
    Window window = byProducer.get(producerId);
    if (window == null) {
      return -1;
    }
    Long offset = window.recent.get(sequence);
    if (offset != null) {
      return offset;
    }
    if (window.floor != null && sequence.compareTo(window.floor) <= 0) {
      return window.lastOffset;
    }
    return -1;
  }

  /** Notes that {@code producerId} wrote {@code sequence} at {@code offset}; the caller holds {@link #lock}. */
  void record(String producerId, BigInteger sequence, long offset) {
    Window window = byProducer.computeIfAbsent(producerId, p -> new Window());
    window.recent.put(sequence, offset);
    window.lastOffset = offset;
    if (window.recent.size() > WINDOW) {
      BigInteger forgotten = window.recent.pollFirstEntry().getKey();
      if (window.floor == null || forgotten.compareTo(window.floor) > 0) {
        window.floor = forgotten;
      }
    }
  }
}
