package dev.freshet.kinesis.store;

import dev.freshet.kinesis.log.LogReadResult;
import dev.freshet.kinesis.log.LogRecord;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * What each producer wrote to one shard, for idempotent puts: per producer, the last {@value
 * #WINDOW} sequences it wrote (with where each record is) and the highest sequence it forgot (the
 * floor). A sequence in the window is a repeat whose original is known; one at or below the floor
 * is taken as written; anything else is new.
 *
 * <p>Kept only in memory, and rebuilt from the shard's log (the {@link ProducerHeader}s of its
 * records) when a shard first takes an idempotent write after the store opened. Rebuilding inserts
 * the logged sequences in log order exactly as the live writes did, so the rebuilt state is the one
 * the store had, minus what retention deleted; and since it is made from the log, it never claims a
 * record that a crash cut off. Idempotent appends to a shard hold {@link #lock} from the check to
 * the update, so two repeats of a record racing each other cannot both be appended, and a repeat is
 * only acknowledged once its original is durable.
 *
 * <p>A shard made by a reshard starts from its parents' windows, so that a repeat of a record its
 * parent holds is still recognised after the split or merge. A sequence kept by either parent is a
 * record already written (producer and sequence name the record, whatever its shard). The floor is
 * the parent's for a split, and for a merge the lower of the two parents' floors (none if a parent
 * never saw the producer): a record above it may have belonged to the parent that had not reached it.
 */
final class ProducerWindows {
  /** Sequences kept exactly per producer and shard: how late a retried record may arrive. */
  static final int WINDOW = 2048;

  private static final int REBUILD_RECORDS = 10_000;
  private static final long REBUILD_BYTES = 16L << 20;

  final ReentrantLock lock = new ReentrantLock();

  private final Map<String, Window> byProducer = new HashMap<>();
  private boolean loaded;

  /** Where a producer's record is: its shard's ordinal and its offset there. */
  record Origin(int ordinal, long offset) {}

  private static final class Window {
    final TreeMap<BigInteger, Origin> recent = new TreeMap<>();
    @Nullable BigInteger floor;

    void add(BigInteger sequence, Origin origin) {
      recent.put(sequence, origin);
      while (recent.size() > WINDOW) {
        BigInteger forgotten = recent.pollFirstEntry().getKey();
        if (floor == null || forgotten.compareTo(floor) > 0) {
          floor = forgotten;
        }
      }
    }
  }

  /**
   * Builds the windows of {@code shard} once: its parents' (through {@code shards}, by ordinal; a
   * parent retention removed is skipped), then its own log. The caller holds {@link #lock}.
   */
  void ensureLoaded(ShardState shard, IntFunction<@Nullable ShardState> shards) throws IOException {
    if (loaded) {
      return;
    }
    List<ProducerWindows> parents = new ArrayList<>(2);
    for (Integer ordinal : new Integer[] {shard.parent, shard.adjacentParent}) {
      ShardState parent = ordinal == null ? null : shards.apply(ordinal);
      if (parent != null) {
        parent.producers.lock.lock();
        try {
          parent.producers.ensureLoaded(parent, shards);
        } finally {
          parent.producers.lock.unlock();
        }
        parents.add(parent.producers);
      }
    }
    inherit(parents);
    long from = shard.log.startOffset();
    long end = shard.log.endOffset();
    while (from < end) {
      LogReadResult page = shard.log.read(from, REBUILD_RECORDS, REBUILD_BYTES);
      if (page.records().isEmpty()) {
        break;
      }
      for (LogRecord record : page.records()) {
        if ((record.attributes() & StreamState.PRODUCER) != 0) {
          ProducerHeader.Parsed header = ProducerHeader.parse(record.value());
          if (header.producerId() != null) {
            record(header.producerId(), header.sequence(), new Origin(shard.ordinal, record.offset()));
          }
        }
      }
      from = page.nextOffset();
    }
    loaded = true;
  }

  private void inherit(List<ProducerWindows> parents) {
    for (ProducerWindows parent : parents) {
      for (Map.Entry<String, Window> producer : parent.byProducer.entrySet()) {
        Window window = byProducer.computeIfAbsent(producer.getKey(), p -> new Window());
        producer.getValue().recent.forEach(window.recent::putIfAbsent);
      }
    }
    for (Map.Entry<String, Window> producer : byProducer.entrySet()) {
      BigInteger floor = null;
      for (int i = 0; i < parents.size(); i++) {
        Window inParent = parents.get(i).byProducer.get(producer.getKey());
        BigInteger parentFloor = inParent == null ? null : inParent.floor;
        if (parentFloor == null) {
          floor = null;
          break;
        }
        floor = i == 0 || parentFloor.compareTo(floor) < 0 ? parentFloor : floor;
      }
      Window window = producer.getValue();
      window.floor = floor;
      // Two parents' windows may hold more than one window's worth.
      while (window.recent.size() > WINDOW) {
        BigInteger forgotten = window.recent.pollFirstEntry().getKey();
        if (window.floor == null || forgotten.compareTo(window.floor) > 0) {
          window.floor = forgotten;
        }
      }
    }
  }

  /**
   * Where the record {@code producerId} wrote at {@code sequence} is; for a sequence at or below
   * the floor, where the producer's highest known sequence is; null if it was not written.
   */
  @Nullable Origin find(String producerId, BigInteger sequence) {
    Window window = byProducer.get(producerId);
    if (window == null) {
      return null;
    }
    Origin origin = window.recent.get(sequence);
    if (origin != null) {
      return origin;
    }
    if (window.floor != null && sequence.compareTo(window.floor) <= 0 && !window.recent.isEmpty()) {
      return window.recent.lastEntry().getValue();
    }
    return null;
  }

  /** Notes that {@code producerId} wrote {@code sequence} at {@code origin}; the caller holds {@link #lock}. */
  void record(String producerId, BigInteger sequence, Origin origin) {
    byProducer.computeIfAbsent(producerId, p -> new Window()).add(sequence, origin);
  }
}
