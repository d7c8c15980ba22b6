package dev.freshet.kinesis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.log.Durability;
import dev.freshet.kinesis.log.LogFiles;
import dev.freshet.kinesis.log.PowerLossFiles;
import dev.freshet.kinesis.log.PowerLossFiles.Crash;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A loss of power at every point of a {@code SplitShard}, through {@link PowerLossFiles}, in both
 * durability modes: records are put (not forced with {@code OS}), the machine stops at a random
 * file operation of the split, and a store recovers on the disk image. Proves that after every
 * such crash each closed shard, read from its start, reaches its recorded end and reports itself
 * finished (no next iterator), and every record served is whole; with {@code FSYNC}, also that
 * every acknowledged record is served.
 */
class ReshardPowerLossIT {
  private static final String STREAM = "reshard";
  private static final BigInteger HALF = BigInteger.ONE.shiftLeft(127);
  private static final int CRASHES = 100;
  /** More than the file operations of one split, so some crashes fall right after it. */
  private static final int MAX_OPERATIONS_TO_CRASH = 40;

  @TempDir Path dir;

  @Test
  void closedShardsReachTheirRecordedEndAfterPowerLossWithOs() throws Exception {
    run(Durability.OS);
  }

  @Test
  void closedShardsReachTheirRecordedEndAfterPowerLossWithFsync() throws Exception {
    run(Durability.FSYNC);
  }

  private static StoreConfig config(Path data, Durability durability) {
    return StoreConfig.builder(data)
        .setDurability(durability)
        .setSegmentBytes(4096)
        .setMaintenanceInterval(Duration.ofHours(1))
        .build();
  }

  private void run(Durability durability) throws Exception {
    long seed = Long.getLong("powerloss.seed", System.nanoTime());
    System.out.println("ReshardPowerLossIT " + durability + " seed " + seed);
    Random random = new Random(seed);
    int closedChecked = 0;
    for (int crash = 0; crash < CRASHES; crash++) {
      Path data = Files.createDirectories(dir.resolve(durability + "-" + crash));
      LocalStreamStore.open(config(data, durability), LogFiles.system()).close();
      PowerLossFiles files = new PowerLossFiles(data);
      LocalStreamStore store = LocalStreamStore.open(config(data, durability), files);
      store.createStream(CreateStreamRequest.provisioned(STREAM, 1));
      List<CheckedPayload> acked = new ArrayList<>();
      int count = 1 + random.nextInt(100);
      for (int i = 0; i < count; i++) {
        CheckedPayload payload = new CheckedPayload(crash, 0, i);
        store.putRecords(STREAM, List.of(PutRecordsEntry.of(payload.partitionKey(64), payload.encode())));
        acked.add(payload);
      }
      files.crashAt(1 + random.nextInt(MAX_OPERATIONS_TO_CRASH));
      try {
        store.splitShard(STREAM, "shardId-000000000000", HALF);
        files.crash();
      } catch (RuntimeException e) {
        assertThat(files.isDown()).as("the split failed only for the crash: %s", e).isTrue();
      }
      try {
        store.close();
      } catch (RuntimeException expected) {
        // the machine is down
      }
      Path image = dir.resolve(durability + "-" + crash + "-image");
      files.writeImage(image, random.nextBoolean() ? Crash.DROP_UNSYNCED : Crash.TEAR_LAST_PAGE,
          random);
      LogFiles.system().deleteRecursively(data);
      String where = durability + " crash " + crash;
      try (LocalStreamStore recovered = LocalStreamStore.open(config(image, durability))) {
        List<CheckedPayload> served = new ArrayList<>();
        for (Shard shard : recovered.listShards(ListShardsRequest.of(STREAM)).shards()) {
          boolean finished = readToEnd(recovered, shard, served, where);
          if (!shard.isOpen()) {
            assertThat(finished)
                .as("%s: closed %s (ending at %s) reports its end", where, shard.shardId(),
                    shard.sequenceNumberRange().endingSequenceNumber())
                .isTrue();
            closedChecked++;
          }
        }
        if (durability == Durability.FSYNC) {
          assertThat(served).as(where).containsAll(acked);
        }
      }
      LogFiles.system().deleteRecursively(image);
    }
    System.out.println("powerloss.reshard." + durability.name().toLowerCase() + ".crashes="
        + CRASHES);
    System.out.println("powerloss.reshard." + durability.name().toLowerCase()
        + ".closed.shards.checked=" + closedChecked);
  }

  /** Reads a shard from its start; returns whether it reported its end (no next iterator). */
  private static boolean readToEnd(
      LocalStreamStore store, Shard shard, List<CheckedPayload> served, String where) {
    String iterator =
        store.getShardIterator(STREAM, shard.shardId(), StartingPosition.trimHorizon());
    while (iterator != null) {
      GetRecordsResult result = store.getRecords(iterator, 10_000);
      for (Record record : result.records()) {
        try {
          served.add(CheckedPayload.decode(record.data()));
        } catch (IllegalArgumentException e) {
          throw new AssertionError(where + ": served a corrupt record: " + e.getMessage(), e);
        }
      }
      if (result.records().isEmpty() && result.nextShardIterator() != null) {
        return false; // at the end of what it holds, and not finished
      }
      iterator = result.nextShardIterator();
    }
    return true;
  }
}
