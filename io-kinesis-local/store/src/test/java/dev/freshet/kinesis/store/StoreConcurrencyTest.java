package dev.freshet.kinesis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.log.Durability;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.HashKeyRange;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.PutRecordsResultEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Eight writers over many keys and three readers tailing every shard, at the same time, on the
 * real store: per-key order is kept, no sequence number repeats, every acknowledged record is read
 * exactly once by every reader, and no reader ever sees a partial or corrupt record. The second
 * test also splits one shard and merges two while the writers run.
 */
class StoreConcurrencyTest {
  private static final String STREAM = "busy";
  private static final int SHARDS = 4;
  private static final int WRITERS = 8;
  private static final int READERS = 3;
  private static final int KEYS_PER_WRITER = 1_000;
  private static final int BATCHES_PER_WRITER = 120;
  private static final int BATCH = 50;
  private static final int TOTAL = WRITERS * BATCHES_PER_WRITER * BATCH;

  @TempDir Path dir;

  /** An acknowledged record: where the store said it put it, and what it was. */
  private record Ack(String shardId, String sequenceNumber, CheckedPayload payload) {}

  @ParameterizedTest
  @EnumSource(Durability.class)
  void writersAndTailingReadersAgree(Durability durability) throws Exception {
    run(durability, false);
  }

  @ParameterizedTest
  @EnumSource(Durability.class)
  void splitAndMergeWhileWritingLoseNothingAndKeepKeyOrder(Durability durability) throws Exception {
    run(durability, true);
  }

  private void run(Durability durability, boolean reshard) throws Exception {
    // Small segments, so that rolls happen under the readers too.
    StoreConfig config = StoreConfig.builder(dir).setDurability(durability).setSegmentBytes(64 << 10).build();
    try (LocalStreamStore store = LocalStreamStore.open(config)) {
      store.createStream(CreateStreamRequest.provisioned(STREAM, SHARDS));
      List<String> errors = Collections.synchronizedList(new ArrayList<>());
      AtomicInteger ackedCount = new AtomicInteger();
      CountDownLatch start = new CountDownLatch(1);

      List<List<Ack>> acksByWriter = new ArrayList<>();
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        List<Ack> acks = new ArrayList<>();
        acksByWriter.add(acks);
        int writer = w;
        writers.add(thread("writer-" + w, errors, () -> {
          start.await();
          write(store, writer, acks, ackedCount);
        }));
      }
      volatileDone = false;
      List<Tailer> tailers = new ArrayList<>();
      List<Thread> readers = new ArrayList<>();
      for (int r = 0; r < READERS; r++) {
        Tailer tailer = new Tailer(store, errors);
        tailers.add(tailer);
        readers.add(thread("reader-" + r, errors, () -> {
          start.await();
          tailer.run();
        }));
      }
      Thread resharder = reshard ? thread("resharder", errors, () -> {
        start.await();
        reshardWhileWriting(store, ackedCount);
      }) : null;

      start.countDown();
      for (Thread writer : writers) {
        join(writer);
      }
      if (resharder != null) {
        join(resharder);
      }
      volatileDone = true;
      for (Thread reader : readers) {
        join(reader);
      }
      assertThat(errors).as("failures in writer, reader or resharder threads").isEmpty();

      Map<String, Shard> shards = new LinkedHashMap<>();
      for (Shard shard : store.listShards(ListShardsRequest.of(STREAM)).shards()) {
        shards.put(shard.shardId(), shard);
      }
      assertThat(shards).hasSize(reshard ? SHARDS + 3 : SHARDS);

      List<Ack> all = new ArrayList<>();
      acksByWriter.forEach(all::addAll);
      assertThat(all).as("acknowledged records").hasSize(TOTAL);
      Set<String> sequenceNumbers = new HashSet<>();
      for (Ack ack : all) {
        assertThat(sequenceNumbers.add(ack.sequenceNumber()))
            .as("sequence number %s given twice", ack.sequenceNumber()).isTrue();
      }
      checkPerKeyOrder(all, shards);
      for (int r = 0; r < READERS; r++) {
        checkReadExactlyOnce(r, tailers.get(r), all);
      }
    }
  }

  private volatile boolean volatileDone;

  private static void write(LocalStreamStore store, int writer, List<Ack> acks, AtomicInteger ackedCount) {
    Random random = new Random(writer);
    int[] counters = new int[KEYS_PER_WRITER];
    for (int b = 0; b < BATCHES_PER_WRITER; b++) {
      List<PutRecordsEntry> entries = new ArrayList<>(BATCH);
      List<CheckedPayload> payloads = new ArrayList<>(BATCH);
      for (int i = 0; i < BATCH; i++) {
        int key = random.nextInt(KEYS_PER_WRITER);
        CheckedPayload payload = new CheckedPayload(writer, key, ++counters[key]);
        payloads.add(payload);
        entries.add(PutRecordsEntry.of(keyOf(payload), payload.encode()));
      }
      PutRecordsResult result = store.putRecords(STREAM, entries);
      for (int i = 0; i < BATCH; i++) {
        PutRecordsResultEntry entry = result.records().get(i);
        if (!entry.isSuccessful()) {
          throw new AssertionError("writer " + writer + ": put of " + payloads.get(i) + " failed: "
              + entry.errorCode() + " " + entry.errorMessage());
        }
        acks.add(new Ack(entry.shardId(), entry.sequenceNumber(), payloads.get(i)));
      }
      ackedCount.addAndGet(BATCH);
    }
  }

  private static String keyOf(CheckedPayload payload) {
    return "w" + payload.a + "-k" + payload.b;
  }

  /** Splits shard 0 a third of the way through the writes, merges shards 2 and 3 at two thirds. */
  private static void reshardWhileWriting(LocalStreamStore store, AtomicInteger ackedCount) {
    awaitAcked(ackedCount, TOTAL / 3);
    Shard first = shardById(store, "shardId-000000000000");
    HashKeyRange range = first.hashKeyRange();
    BigInteger middle = range.startingHashKey().add(range.endingHashKey()).shiftRight(1);
    store.splitShard(STREAM, first.shardId(), middle);
    awaitAcked(ackedCount, 2 * TOTAL / 3);
    store.mergeShards(STREAM, "shardId-000000000002", "shardId-000000000003");
    assertThat(ackedCount.get()).as("the reshards ran while writers were still writing").isLessThan(TOTAL);
  }

  private static void awaitAcked(AtomicInteger ackedCount, int atLeast) {
    while (ackedCount.get() < atLeast) {
      LockSupport.parkNanos(100_000);
    }
  }

  private static Shard shardById(LocalStreamStore store, String shardId) {
    return store.listShards(ListShardsRequest.of(STREAM)).shards().stream()
        .filter(s -> s.shardId().equals(shardId)).findFirst().orElseThrow();
  }

  /**
   * Tails every shard of the stream from the trim horizon, following new shards as they appear and
   * dropping closed ones once read to their end, until the writers are done and a whole pass over
   * the shards finds nothing new. Checks every record as it arrives.
   */
  private final class Tailer {
    private final LocalStreamStore store;
    private final List<String> errors;
    final Map<String, List<Record>> byShard = new LinkedHashMap<>();
    private final Map<String, String> iterators = new HashMap<>();
    private final Set<String> finished = new HashSet<>();

    Tailer(LocalStreamStore store, List<String> errors) {
      this.store = store;
      this.errors = errors;
    }

    void run() {
      while (true) {
        boolean writersDone = volatileDone;
        boolean gotAny = false;
        for (Shard shard : store.listShards(ListShardsRequest.of(STREAM)).shards()) {
          String shardId = shard.shardId();
          if (finished.contains(shardId)) {
            continue;
          }
          String iterator = iterators.get(shardId);
          if (iterator == null) {
            iterator = store.getShardIterator(STREAM, shardId, StartingPosition.trimHorizon());
          }
          GetRecordsResult page = store.getRecords(iterator, 1_000);
          for (Record record : page.records()) {
            accept(shardId, record);
          }
          gotAny |= !page.records().isEmpty();
          if (page.nextShardIterator() == null) {
            finished.add(shardId);
            iterators.remove(shardId);
          } else {
            iterators.put(shardId, page.nextShardIterator());
          }
        }
        if (writersDone && !gotAny) {
          return;
        }
        if (!gotAny) {
          LockSupport.parkNanos(200_000);
        }
      }
    }

    private void accept(String shardId, Record record) {
      List<Record> seen = byShard.computeIfAbsent(shardId, s -> new ArrayList<>());
      String where = shardId + " at " + record.sequenceNumber();
      if (!seen.isEmpty() && record.sequenceNumber().compareTo(seen.get(seen.size() - 1).sequenceNumber()) <= 0) {
        errors.add(where + ": read after " + seen.get(seen.size() - 1).sequenceNumber());
      }
      try {
        CheckedPayload payload = CheckedPayload.decode(record.data());
        if (!record.partitionKey().equals(keyOf(payload))) {
          errors.add(where + ": partition key " + record.partitionKey() + " with payload " + payload);
        }
      } catch (IllegalArgumentException e) {
        errors.add(where + ": partial or corrupt record: " + e.getMessage());
      }
      seen.add(record);
    }
  }

  /**
   * For each key, its records in counter order must be in sequence-number order within a shard,
   * and a record in another shard must be in a descendant of the earlier record's shard.
   */
  private static void checkPerKeyOrder(List<Ack> all, Map<String, Shard> shards) {
    Map<String, List<Ack>> byKey = new HashMap<>();
    for (Ack ack : all) {
      byKey.computeIfAbsent(keyOf(ack.payload()), k -> new ArrayList<>()).add(ack);
    }
    for (List<Ack> acks : byKey.values()) {
      acks.sort(Comparator.comparingInt(a -> a.payload().c));
      for (int i = 1; i < acks.size(); i++) {
        Ack before = acks.get(i - 1);
        Ack after = acks.get(i);
        if (before.shardId().equals(after.shardId())) {
          assertThat(after.sequenceNumber()).as("key %s: %s then %s", keyOf(after.payload()), before, after)
              .isGreaterThan(before.sequenceNumber());
        } else {
          assertThat(isAncestor(before.shardId(), after.shardId(), shards))
              .as("key %s: %s in a shard that does not descend from that of %s", keyOf(after.payload()), after, before)
              .isTrue();
        }
      }
    }
  }

  private static boolean isAncestor(String ancestor, String shardId, Map<String, Shard> shards) {
    Shard shard = shards.get(shardId);
    for (String parent : new String[] {shard.parentShardId(), shard.adjacentParentShardId()}) {
      if (parent != null && (parent.equals(ancestor) || isAncestor(ancestor, parent, shards))) {
        return true;
      }
    }
    return false;
  }

  private static void checkReadExactlyOnce(int reader, Tailer tailer, List<Ack> all) {
    Map<String, Record> read = new HashMap<>();
    Map<String, String> shardOf = new HashMap<>();
    tailer.byShard.forEach((shardId, records) -> {
      for (Record record : records) {
        assertThat(read.put(record.sequenceNumber(), record))
            .as("reader %s read %s twice", reader, record.sequenceNumber()).isNull();
        shardOf.put(record.sequenceNumber(), shardId);
      }
    });
    for (Ack ack : all) {
      Record record = read.get(ack.sequenceNumber());
      assertThat(record).as("reader %s never read acknowledged %s", reader, ack).isNotNull();
      assertThat(shardOf.get(ack.sequenceNumber())).as("reader %s: shard of %s", reader, ack).isEqualTo(ack.shardId());
      assertThat(record.data()).as("reader %s: bytes of %s", reader, ack).isEqualTo(ack.payload().encode());
    }
    assertThat(read).as("reader %s: records read", reader).hasSize(all.size());
  }

  private interface Body {
    void run() throws Exception;
  }

  private static Thread thread(String name, List<String> errors, Body body) {
    Thread thread = new Thread(() -> {
      try {
        body.run();
      } catch (Throwable e) {
        errors.add(name + ": " + e);
        e.printStackTrace();
      }
    }, name);
    thread.start();
    return thread;
  }

  private static void join(Thread thread) throws InterruptedException {
    thread.join(TimeUnit.SECONDS.toMillis(120));
    assertThat(thread.isAlive()).as("%s still running after 2 minutes", thread.getName()).isFalse();
  }
}
