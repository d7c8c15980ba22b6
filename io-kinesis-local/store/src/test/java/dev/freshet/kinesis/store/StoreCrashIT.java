package dev.freshet.kinesis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing store process with SIGKILL again and again on the same folder and checks, after
 * each kill, that the reopened store serves every acknowledged record, in order, byte for byte,
 * and nothing corrupt. Records written but not acknowledged before the kill may or may not be
 * there; if they are, they must be whole.
 */
class StoreCrashIT {
  private static final int ROUNDS = 20;
  private static final Pattern ACK = Pattern.compile(
      "ACK (shardId-\\d{12}) (\\d{30}) (\\d+) (\\d+) (\\d+) END");

  @TempDir Path dir;

  /** An acknowledged record as the child printed it. */
  private record Ack(String shardId, String sequenceNumber, CheckedPayload payload) {}

  @Test
  void everyAcknowledgedRecordSurvivesSigkill() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    System.out.println("StoreCrashIT seed " + seed);
    Path data = dir.resolve("data");
    Map<CheckedPayload, Ack> acked = new HashMap<>();
    for (int round = 0; round < ROUNDS; round++) {
      long killAfterMillis = 100 + random.nextInt(501);
      List<Ack> acks = runAndKill(data, round, killAfterMillis);
      for (Ack ack : acks) {
        assertThat(acked.put(ack.payload(), ack)).as("acknowledged twice: %s", ack).isNull();
      }
      Verified verified = verify(data, acked, round);
      System.out.printf("round %2d: killed %3d ms after the first ack; %5d acked this round, "
              + "%6d acked in all, %6d stored (%d written but not acked)%n",
          round, killAfterMillis, acks.size(), acked.size(), verified.stored, verified.unacked);
    }
  }

  private List<Ack> runAndKill(Path data, int round, long killAfterMillis) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Path stderr = dir.resolve("writer-" + round + ".err");
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        StoreCrashWriter.class.getName(), data.toString(), Integer.toString(round));
    builder.redirectError(stderr.toFile());
    Process process = builder.start();
    List<Ack> acks = new ArrayList<>();
    CountDownLatch firstAck = new CountDownLatch(1);
    AtomicReference<IOException> readFailure = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
        String line;
        while ((line = lines.readLine()) != null) {
          Matcher m = ACK.matcher(line);
          if (!m.matches()) {
            continue; // the line the kill cut short
          }
          acks.add(new Ack(m.group(1), m.group(2), new CheckedPayload(
              Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)))));
          firstAck.countDown();
        }
      } catch (IOException e) {
        readFailure.set(e);
      }
    }, "crash-ack-reader");
    reader.start();
    try {
      if (!firstAck.await(30, TimeUnit.SECONDS)) {
        fail("round " + round + ": no acknowledgement within 30 s" + stderrOf(process, stderr));
      }
      Thread.sleep(killAfterMillis);
      if (!process.isAlive()) {
        fail("round " + round + ": the writer exited by itself with " + process.exitValue()
            + stderrOf(process, stderr));
      }
    } finally {
      // Through the handle: Process.destroyForcibly also closes our end of stdout, and so would
      // drop acknowledgements the child printed but this side had not read yet.
      process.toHandle().destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
      reader.join(30_000);
    }
    assertThat(reader.isAlive()).as("the child's stdout reached its end").isFalse();
    if (readFailure.get() != null) {
      throw new AssertionError("round " + round + ": reading the acknowledgements failed", readFailure.get());
    }
    assertThat(process.exitValue()).as("exit status of the killed writer").isEqualTo(137);
    return acks;
  }

  private static String stderrOf(Process process, Path stderr) throws IOException {
    process.toHandle().destroyForcibly();
    return "; its stderr:\n" + (Files.exists(stderr) ? Files.readString(stderr) : "");
  }

  private record Verified(int stored, int unacked) {}

  /** Reopens the store in this process and checks it against every acknowledgement so far. */
  private static Verified verify(Path data, Map<CheckedPayload, Ack> acked, int round) {
    Map<String, Record> bySequence = new HashMap<>();
    Set<CheckedPayload> stored = new HashSet<>();
    int unacked = 0;
    try (LocalStreamStore store = LocalStreamStore.open(StoreCrashWriter.config(data))) {
      List<Shard> shards = store.listShards(ListShardsRequest.of(StoreCrashWriter.STREAM)).shards();
      assertThat(shards).hasSize(StoreCrashWriter.SHARDS);
      for (Shard shard : shards) {
        List<Record> records = StoreTesting.readAll(store, StoreCrashWriter.STREAM, shard.shardId(),
            StartingPosition.trimHorizon());
        String previous = null;
        Map<Long, Integer> lastIndexOfBatch = new HashMap<>();
        for (Record record : records) {
          String where = "round " + round + ", " + shard.shardId() + " at " + record.sequenceNumber();
          CheckedPayload payload;
          try {
            payload = CheckedPayload.decode(record.data());
          } catch (IllegalArgumentException e) {
            throw new AssertionError(where + ": served a corrupt record: " + e.getMessage(), e);
          }
          assertThat(record.partitionKey()).as(where).isEqualTo(payload.partitionKey(StoreCrashWriter.KEY_SPACE));
          if (previous != null) {
            assertThat(record.sequenceNumber()).as("%s: sequence numbers must increase", where)
                .isGreaterThan(previous);
          }
          previous = record.sequenceNumber();
          assertThat(stored.add(payload)).as("%s: record %s served twice", where, payload).isTrue();
          // Within one batch a shard keeps the request order.
          long batchId = ((long) payload.a << 32) | payload.b;
          Integer lastIndex = lastIndexOfBatch.put(batchId, payload.c);
          if (lastIndex != null) {
            assertThat(payload.c).as("%s: request order within a batch", where).isGreaterThan(lastIndex);
          }
          bySequence.put(record.sequenceNumber(), record);
          Ack ack = acked.get(payload);
          if (ack == null) {
            unacked++;
          } else {
            assertThat(record.sequenceNumber()).as("%s: sequence number acknowledged for %s", where, payload)
                .isEqualTo(ack.sequenceNumber());
            assertThat(shard.shardId()).as("%s: shard acknowledged for %s", where, payload)
                .isEqualTo(ack.shardId());
          }
        }
      }
    }
    for (Ack ack : acked.values()) {
      Record record = bySequence.get(ack.sequenceNumber());
      if (record == null) {
        fail("round " + round + ": acknowledged record " + ack.payload() + " at " + ack.shardId()
            + "/" + ack.sequenceNumber() + " is missing after the crash");
      }
      assertThat(record.data()).as("bytes of acknowledged record %s", ack.payload())
          .isEqualTo(ack.payload().encode());
    }
    return new Verified(stored.size(), unacked);
  }
}
