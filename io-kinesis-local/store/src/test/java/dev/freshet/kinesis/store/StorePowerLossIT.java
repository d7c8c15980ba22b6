package dev.freshet.kinesis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.log.Durability;
import dev.freshet.kinesis.log.LogFiles;
import dev.freshet.kinesis.log.PowerLossFiles;
import dev.freshet.kinesis.log.PowerLossFiles.Crash;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.PutRecordsResultEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulated losses of power under concurrent writers, through {@link PowerLossFiles}: the machine
 * stops at a random file operation, the disk keeps only what was forced (in half the crashes, at
 * random, the last unsynced page of each file is also torn with garbage), and a new store recovers
 * on that image. Episodes of {@value #CRASHES_PER_EPISODE} crashes continue on one stream, each
 * recovery on the image of the crash before; some recoveries are themselves cut by a crash.
 * {@code -Dpowerloss.seed} repeats the crash points and images, not the threads' interleaving.
 *
 * <ul>
 *   <li>{@link Durability#FSYNC}: every acknowledged record is served after every recovery, at its
 *       acknowledged shard and sequence number, byte for byte; nothing corrupt or duplicated is
 *       served; the sequence numbers acknowledged after a recovery are above every one acknowledged
 *       before it.
 *   <li>{@link Durability#OS}: the same writers and crashes lose acknowledged records (the test
 *       fails if none is lost, so it tells the two modes apart), and still nothing corrupt is
 *       served.
 * </ul>
 *
 * <p>Prints {@code powerloss.*} figures (key=value lines) for {@code docs/performance.md}.
 */
class StorePowerLossIT {
  private static final String STREAM = "powerloss";
  private static final int SHARDS = 2;
  private static final int WRITERS = 3;
  private static final int KEY_SPACE = 64;
  private static final int CRASHES_PER_EPISODE = 8;
  /** The machine stops within this many file operations of a (re)start. */
  private static final int MAX_OPERATIONS_TO_CRASH = 120;

  @TempDir Path dir;

  /** An acknowledged record. */
  private record Ack(String shardId, String sequenceNumber, CheckedPayload payload) {}

  /** What one run of crashes found. */
  private static final class Tally {
    int crashes;
    int crashesInRecovery;
    int tornImages;
    long acknowledged;
    long checked;
    long lost;
    int crashesWithLoss;
    long sequenceNumbersReused;
  }

  @Test
  void fsyncServesEveryAcknowledgedRecordAfterPowerLoss() throws Exception {
    Tally tally = run(Durability.FSYNC, 1000);
    print("fsync", tally);
    assertThat(tally.crashes).isGreaterThanOrEqualTo(1000);
    assertThat(tally.lost).as("acknowledged records lost with fsync").isZero();
    assertThat(tally.sequenceNumbersReused).isZero();
    assertThat(tally.checked).isPositive();
  }

  @Test
  void osLosesAcknowledgedRecordsOnPowerLoss() throws Exception {
    Tally tally = run(Durability.OS, 200);
    print("os", tally);
    assertThat(tally.lost)
        .as("acknowledged records lost with durability os (0 would mean the test cannot tell"
            + " the modes apart)")
        .isPositive();
  }

  private static void print(String mode, Tally tally) {
    String prefix = "powerloss." + mode + ".";
    System.out.println(prefix + "crashes=" + tally.crashes);

    System.out.println(prefix + "crashes.in.recovery=" + tally.crashesInRecovery);
    System.out.println(prefix + "images.torn=" + tally.tornImages);
    System.out.println(prefix + "records.acknowledged=" + tally.acknowledged);
    System.out.println(prefix + "records.checked=" + tally.checked);
    System.out.println(prefix + "records.lost=" + tally.lost);
    System.out.println(prefix + "crashes.with.loss=" + tally.crashesWithLoss);
    System.out.println(prefix + "sequence.numbers.reused=" + tally.sequenceNumbersReused);
  }

  private Tally run(Durability durability, int crashes) throws Exception {
    long seed = Long.getLong("powerloss.seed", System.nanoTime());
    System.out.println("StorePowerLossIT " + durability + " seed " + seed);
    Random random = new Random(seed);
    Tally tally = new Tally();
    int episode = 0;
    while (tally.crashes < crashes) {
      runEpisode(durability, episode++, random, tally);
    }
    return tally;
  }

  private static StoreConfig config(Path data, Durability durability) {
    return StoreConfig.builder(data)
        .setDurability(durability)
        .setSegmentBytes(8192)
        .setMaintenanceInterval(Duration.ofHours(1))
        .build();
  }

  private void runEpisode(Durability durability, int episode, Random random, Tally tally)
      throws Exception {
    Path data = dir.resolve(durability + "-" + episode + "-0");
    Files.createDirectories(data);
    // The iterator secret and the lock file are not the subject here: made before tracking
    // starts, they count as durable.
    LocalStreamStore.open(config(data, durability), LogFiles.system()).close();
    PowerLossFiles files = new PowerLossFiles(data);
    Map<CheckedPayload, Ack> acked = new HashMap<>();
    LocalStreamStore store = LocalStreamStore.open(config(data, durability), files);
    store.createStream(CreateStreamRequest.provisioned(STREAM, SHARDS));
    Map<String, String> highestAcked = new HashMap<>();
    for (int crash = 1; crash <= CRASHES_PER_EPISODE; crash++) {
      files.crashAt(1 + random.nextInt(MAX_OPERATIONS_TO_CRASH));
      List<Ack> acks = writeUntilPowerLoss(store, crash, random);
      closeCrashed(store);
      for (Ack ack : acks) {
        String previous = highestAcked.get(ack.shardId());
        if (previous != null && ack.sequenceNumber().compareTo(previous) <= 0) {
          tally.sequenceNumbersReused++;
        }
        acked.put(ack.payload(), ack);
      }
      for (Ack ack : acks) {
        highestAcked.merge(ack.shardId(), ack.sequenceNumber(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
      }
      tally.acknowledged += acks.size();
      tally.crashes++;
      // Recover on the image; sometimes the machine stops again during recovery.
      while (true) {
        Path image = dir.resolve(durability + "-" + episode + "-" + crash + "-" + tally.crashes);
        Crash kind = random.nextBoolean() ? Crash.DROP_UNSYNCED : Crash.TEAR_LAST_PAGE;
        if (kind == Crash.TEAR_LAST_PAGE) {
          tally.tornImages++;
        }
        files.writeImage(image, kind, random);
        deleteRecursively(data);
        data = image;
        files = new PowerLossFiles(data);
        if (random.nextInt(4) == 0) {
          files.crashAt(1 + random.nextInt(4));
        }
        try {
          store = LocalStreamStore.open(config(data, durability), files);
          store.listShards(ListShardsRequest.of(STREAM));
          break;
        } catch (RuntimeException e) {
          if (!files.isDown()) {
            throw e;
          }
          closeCrashed(store);
          tally.crashes++;
          tally.crashesInRecovery++;
        }
      }
      String where = durability + " episode " + episode + ", after crash " + crash;
      Verified verified = verify(store, acked, where, durability == Durability.FSYNC);
      tally.checked += verified.checked;
      tally.lost += verified.lost;
      if (verified.lost > 0) {
        tally.crashesWithLoss++;
        for (CheckedPayload gone : verified.lostPayloads) {
          acked.remove(gone);
        }
      }
      // Later acknowledgements must be above what this recovery serves.
      highestAcked.putAll(verified.highestServed);
    }
    closeCrashed(store);
    deleteRecursively(data);
  }

  /**
   * Runs {@value #WRITERS} writers until the machine stops under them; returns what they saw
   * acknowledged.
   */
  private static List<Ack> writeUntilPowerLoss(LocalStreamStore store, int round, Random random)
      throws InterruptedException {
    List<Ack> acks = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    long seed = random.nextLong();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      Random own = new Random(seed + w);
      Thread thread = new Thread(() -> {
        int seq = 0;
        while (true) {
          int count = 1 + own.nextInt(12);
          List<PutRecordsEntry> entries = new ArrayList<>(count);
          List<CheckedPayload> payloads = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            CheckedPayload payload = new CheckedPayload(round, writer, seq++);
            payloads.add(payload);
            entries.add(PutRecordsEntry.of(payload.partitionKey(KEY_SPACE), payload.encode()));
          }
          PutRecordsResult result;
          try {
            result = store.putRecords(STREAM, entries);
          } catch (RuntimeException e) {
            return; // the machine is down
          }
          boolean failed = false;
          synchronized (acks) {
            for (int i = 0; i < count; i++) {
              PutRecordsResultEntry entry = result.records().get(i);
              if (entry.errorCode() != null) {
                failed = true;
              } else {
                acks.add(new Ack(entry.shardId(), entry.sequenceNumber(), payloads.get(i)));
              }
            }
          }
          if (failed) {
            return;
          }
        }
      }, "powerloss-writer-" + w);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    return acks;
  }

  private record Verified(
      long checked, long lost, List<CheckedPayload> lostPayloads, Map<String, String> highestServed) {}

  /**
   * Reads every shard of the recovered store: every record must be whole and served once, in
   * increasing sequence order; then each acknowledged record is looked up by its sequence number
   * and compared byte for byte. With {@code mustKeepAll} a lost one fails the test; otherwise it
   * is counted.
   */
  private static Verified verify(LocalStreamStore store, Map<CheckedPayload, Ack> acked,
      String where, boolean mustKeepAll) {
    Map<String, Record> bySequence = new HashMap<>();
    Map<String, String> shardOf = new HashMap<>();
    Map<String, String> highest = new HashMap<>();
    Set<CheckedPayload> served = new HashSet<>();
    List<Shard> shards = store.listShards(ListShardsRequest.of(STREAM)).shards();
    assertThat(shards).as(where).hasSize(SHARDS);
    for (Shard shard : shards) {
      String previous = null;
      for (Record record : StoreTesting.readAll(
          store, STREAM, shard.shardId(), StartingPosition.trimHorizon())) {
        String at = where + ", " + shard.shardId() + " at " + record.sequenceNumber();
        CheckedPayload payload;
        try {
          payload = CheckedPayload.decode(record.data());
        } catch (IllegalArgumentException e) {
          throw new AssertionError(at + ": served a corrupt record: " + e.getMessage(), e);
        }
        assertThat(record.partitionKey()).as(at).isEqualTo(payload.partitionKey(KEY_SPACE));
        if (previous != null) {
          assertThat(record.sequenceNumber()).as("%s: sequence numbers must increase", at)
              .isGreaterThan(previous);
        }
        previous = record.sequenceNumber();
        assertThat(served.add(payload)).as("%s: record %s served twice", at, payload).isTrue();
        bySequence.put(record.sequenceNumber(), record);
        shardOf.put(record.sequenceNumber(), shard.shardId());
      }
      if (previous != null) {
        highest.put(shard.shardId(), previous);
      }
    }
    long checked = 0;
    List<CheckedPayload> lost = new ArrayList<>();
    for (Ack ack : acked.values()) {
      Record record = bySequence.get(ack.sequenceNumber());
      boolean kept = record != null
          && ack.shardId().equals(shardOf.get(ack.sequenceNumber()))
          && java.util.Arrays.equals(record.data(), ack.payload().encode());
      if (!kept) {
        if (mustKeepAll) {
          throw new AssertionError(where + ": acknowledged record " + ack.payload() + " at "
              + ack.shardId() + "/" + ack.sequenceNumber() + " is "
              + (record == null ? "missing" : "not the acknowledged one"));
        }
        lost.add(ack.payload());
      }
      checked++;
    }
    return new Verified(checked, lost.size(), lost, highest);
  }

  /** Closes a store whose machine went down; its failures are the crash's, not findings. */
  private static void closeCrashed(LocalStreamStore store) {
    if (store == null) {
      return;
    }
    try {
      store.close();
    } catch (RuntimeException expected) {
      // forcing or closing on a machine that is down fails
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    LogFiles.system().deleteRecursively(path);
  }
}
