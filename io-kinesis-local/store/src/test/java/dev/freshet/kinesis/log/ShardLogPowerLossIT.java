package dev.freshet.kinesis.log;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.log.PowerLossFiles.Crash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulated losses of power under concurrent appenders to one {@link ShardLog}, through {@link
 * PowerLossFiles}, with the smallest segments (1 KiB) so that crashes often fall into a roll: the
 * machine stops at a random file operation, the disk keeps only what was forced (in half the
 * crashes, at random, with the last unsynced page of each file torn with garbage), and the log is
 * reopened on that image, sometimes crashing again during its recovery.
 *
 * <ul>
 *   <li>{@link Durability#FSYNC}: after every recovery each acknowledged batch is at its
 *       acknowledged offsets, byte for byte; the whole log reads back without a checksum error,
 *       every record whole (its value is the one its key implies); offsets given after a recovery
 *       are above all given before.
 *   <li>{@link Durability#OS}: the same appenders and crashes lose acknowledged batches (asserted).
 * </ul>
 */
class ShardLogPowerLossIT {
  private static final int THREADS = 3;
  private static final int CRASHES_PER_EPISODE = 10;
  private static final int MAX_OPERATIONS_TO_CRASH = 150;

  @TempDir Path dir;

  /** An acknowledged batch: its first offset and the keys of its records. */
  private record Ack(long first, List<byte[]> keys) {}

  @Test
  void fsyncKeepsEveryAcknowledgedBatchThroughPowerLoss() throws Exception {
    long[] tally = run(Durability.FSYNC, 300);
    print("fsync", tally);
    assertThat(tally[LOST]).as("acknowledged records lost with fsync").isZero();
    assertThat(tally[CHECKED]).isPositive();
  }

  @Test
  void osLosesAcknowledgedBatchesOnPowerLoss() throws Exception {
    long[] tally = run(Durability.OS, 60);
    print("os", tally);
    assertThat(tally[LOST])
        .as("acknowledged records lost with durability os (0: the modes look alike)")
        .isPositive();
  }

  private static final int CRASHES = 0;
  private static final int IN_RECOVERY = 1;
  private static final int ACKED = 2;
  private static final int CHECKED = 3;
  private static final int LOST = 4;

  private static void print(String mode, long[] tally) {
    String prefix = "powerloss.log." + mode + ".";
    System.out.println(prefix + "crashes=" + tally[CRASHES]);
    System.out.println(prefix + "crashes.in.recovery=" + tally[IN_RECOVERY]);
    System.out.println(prefix + "records.acknowledged=" + tally[ACKED]);
    System.out.println(prefix + "records.checked=" + tally[CHECKED]);
    System.out.println(prefix + "records.lost=" + tally[LOST]);
  }

  private static LogConfig config(Durability durability, LogFiles files) {
    return LogConfig.builder()
        .setDurability(durability)
        .setSegmentBytes(LogConfig.MIN_SEGMENT_BYTES)
        .setIndexIntervalBytes(256)
        .setFiles(files)
        .build();
  }

  static byte[] key(int episode, int round, int thread, int seq) {
    return (episode + ":" + round + ":" + thread + ":" + seq).getBytes(UTF_8);
  }

  /** A value that follows from its key, so any record read back can be checked on its own. */
  static byte[] value(byte[] key) {
    int length = 1 + Math.floorMod(Arrays.hashCode(key), 200);
    byte[] value = new byte[length];
    for (int i = 0; i < length; i++) {
      value[i] = (byte) (key[i % key.length] * 7 + i);
    }
    return value;
  }

  private long[] run(Durability durability, int crashes) throws Exception {
    long seed = Long.getLong("powerloss.seed", System.nanoTime());
    System.out.println("ShardLogPowerLossIT " + durability + " seed " + seed);
    Random random = new Random(seed);
    long[] tally = new long[5];
    for (int episode = 0; tally[CRASHES] < crashes; episode++) {
      runEpisode(durability, episode, random, tally);
    }
    return tally;
  }

  private void runEpisode(Durability durability, int episode, Random random, long[] tally)
      throws Exception {
    Path root = Files.createDirectories(dir.resolve(durability + "-" + episode + "-0"));
    Path logDir = Path.of("shard");
    PowerLossFiles files = new PowerLossFiles(root);
    ShardLog log = ShardLog.open(root.resolve(logDir), config(durability, files));
    List<Ack> acked = new ArrayList<>();
    for (int round = 1; round <= CRASHES_PER_EPISODE; round++) {
      files.crashAt(1 + random.nextInt(MAX_OPERATIONS_TO_CRASH));
      List<Ack> acks = appendUntilPowerLoss(log, episode, round);
      closeCrashed(log);
      long before = acked.stream().mapToLong(a -> a.first() + a.keys().size()).max().orElse(0);
      for (Ack ack : acks) {
        if (durability == Durability.FSYNC) {
          assertThat(ack.first())
              .as("episode %s round %s: offsets after a recovery are above all before", episode,
                  round)
              .isGreaterThanOrEqualTo(before);
        }
        tally[ACKED] += ack.keys().size();
      }
      acked.addAll(acks);
      tally[CRASHES]++;
      while (true) {
        Path image = dir.resolve(durability + "-" + episode + "-" + round + "-" + tally[CRASHES]);
        files.writeImage(image, random.nextBoolean() ? Crash.DROP_UNSYNCED : Crash.TEAR_LAST_PAGE,
            random);
        LogFiles.system().deleteRecursively(root);
        root = image;
        files = new PowerLossFiles(root);
        if (random.nextInt(4) == 0) {
          files.crashAt(1 + random.nextInt(4));
        }
        try {
          log = ShardLog.open(root.resolve(logDir), config(durability, files));
          break;
        } catch (IOException e) {
          if (!files.isDown()) {
            throw e;
          }
          tally[CRASHES]++;
          tally[IN_RECOVERY]++;
        }
      }
      String where = durability + " episode " + episode + " after crash " + round;
      List<Ack> kept = new ArrayList<>();
      for (Ack ack : acked) {
        tally[CHECKED] += ack.keys().size();
        if (holds(log, ack)) {
          kept.add(ack);
        } else if (durability == Durability.FSYNC) {
          throw new AssertionError(where + ": acknowledged batch at offset " + ack.first()
              + " of " + ack.keys().size() + " records is lost or changed; log end "
              + log.endOffset());
        } else {
          tally[LOST] += ack.keys().size();
        }
      }
      acked = kept;
      readsBackWhole(log, where);
    }
    closeCrashed(log);
    LogFiles.system().deleteRecursively(root);
  }

  private static boolean holds(ShardLog log, Ack ack) throws IOException {
    if (ack.first() + ack.keys().size() > log.endOffset()) {
      return false;
    }
    List<LogRecord> records = log.read(ack.first(), ack.keys().size(), Long.MAX_VALUE).records();
    if (records.size() != ack.keys().size()) {
      return false;
    }
    for (int i = 0; i < records.size(); i++) {
      LogRecord record = records.get(i);
      byte[] key = ack.keys().get(i);
      if (record.offset() != ack.first() + i
          || !Arrays.equals(record.key(), key)
          || !Arrays.equals(record.value(), value(key))) {
        return false;
      }
    }
    return true;
  }

  /** Everything in the log, acknowledged or not, reads back checked and whole. */
  private static void readsBackWhole(ShardLog log, String where) throws IOException {
    long next = log.startOffset();
    long end = log.endOffset();
    while (next < end) {
      List<LogRecord> records = log.read(next, 5000, Long.MAX_VALUE).records();
      assertThat(records).as("%s: records from offset %s", where, next).isNotEmpty();
      for (LogRecord record : records) {
        assertThat(record.offset()).as(where).isEqualTo(next++);
        assertThat(record.value())
            .as("%s: value of the record at offset %s", where, record.offset())
            .isEqualTo(value(record.key()));
      }
    }
  }

  private static List<Ack> appendUntilPowerLoss(ShardLog log, int episode, int round)
      throws InterruptedException {
    List<Ack> acks = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      Thread appender = new Thread(() -> {
        Random random = new Random(episode * 1_000_003L + round * 31L + thread);
        int seq = 0;
        while (true) {
          int count = 1 + random.nextInt(8);
          List<LogEntry> batch = new ArrayList<>(count);
          List<byte[]> keys = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            byte[] key = key(episode, round, thread, seq++);
            keys.add(key);
            batch.add(LogEntry.of(key, value(key)));
          }
          long first;
          try {
            first = log.append(System.currentTimeMillis(), (byte) thread, batch);
          } catch (IOException | RuntimeException e) {
            return; // the machine is down
          }
          synchronized (acks) {
            acks.add(new Ack(first, keys));
          }
        }
      }, "powerloss-appender-" + t);
      threads.add(appender);
      appender.start();
    }
    for (Thread appender : threads) {
      appender.join();
    }
    return acks;
  }

  private static void closeCrashed(ShardLog log) {
    try {
      log.close();
    } catch (IOException expected) {
      // forcing on a machine that is down fails
    }
  }
}
