package dev.freshet.kinesis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsResult;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotent writes across crashes: a process writing one producer's batches in order is killed
 * with SIGKILL again and again on the same folder, and each new process starts a few batches before
 * the last one acknowledged, so it sends again records that are in the log (acknowledged or not)
 * and records a kill tore off. After every kill the reopened store must hold each record once, each
 * acknowledged record (also each repeat acknowledged as a duplicate) at the sequence number it was
 * acknowledged with; and at the end, the whole history sent once more adds nothing. This is what
 * rebuilding the producers' state from the log after a crash must give.
 */
class IdempotentCrashIT {
  private static final int ROUNDS = 8;
  /** Batches a new process sends again before the last acknowledged one. */
  private static final int REPLAY_BATCHES = 5;
  private static final Pattern ACK = Pattern.compile(
      "ACK (shardId-\\d{12}) (\\d{30}) (\\d+) (\\d+) (true|false) END");

  @TempDir Path dir;

  private record Ack(String shardId, String sequenceNumber, String payload, boolean duplicate) {}

  @Test
  void aReplayAfterSigkillStoresNothingTwiceAndAnswersWithTheOriginals() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    System.out.println("IdempotentCrashIT seed " + seed);
    Path data = dir.resolve("data");
    Map<String, Ack> acked = new HashMap<>();
    int lastAckedBatch = -1;
    int duplicatesAcked = 0;
    for (int round = 0; round < ROUNDS; round++) {
      int first = Math.max(0, lastAckedBatch - REPLAY_BATCHES);
      List<Ack> acks = runAndKill(data, round, first, 100 + random.nextInt(501));
      for (Ack ack : acks) {
        Ack earlier = acked.putIfAbsent(ack.payload(), ack);
        if (earlier != null) {
          assertThat(ack.duplicate()).as("%s acknowledged again without being a duplicate", ack).isTrue();
          assertThat(ack.sequenceNumber()).as("repeat of %s", ack.payload()).isEqualTo(earlier.sequenceNumber());
        }
        if (ack.duplicate()) {
          duplicatesAcked++;
        }
        lastAckedBatch = Math.max(lastAckedBatch, batchOf(ack.payload()));
      }
      Map<String, Record> stored = verify(data, acked, round);
      System.out.printf("round %d: from batch %d, %d acked (%d as duplicates so far), %d stored%n",
          round, first, acks.size(), duplicatesAcked, stored.size());
    }
    assertThat(duplicatesAcked).as("repeats answered as duplicates").isPositive();

    // Everything once more, from the first batch, in this process: nothing is added.
    int last = lastAckedBatch + 3;
    try (LocalStreamStore store = LocalStreamStore.open(IdempotentCrashWriter.config(data))) {
      for (int batch = 0; batch <= last; batch++) {
        PutRecordsResult result = store.putRecords(IdempotentCrashWriter.STREAM, IdempotentCrashWriter.batch(batch));
        assertThat(result.failedRecordCount()).isZero();
      }
    }
    Map<String, Record> stored = verify(data, acked, ROUNDS);
    List<String> expected = new ArrayList<>();
    for (int batch = 0; batch <= last; batch++) {
      for (int i = 0; i < IdempotentCrashWriter.BATCH; i++) {
        expected.add(IdempotentCrashWriter.payload(batch, i));
      }
    }
    // Set equality, not containsExactlyInAnyOrder: that compares every pair, and a quiet machine
    // writes enough records before the kills for it to run for many minutes.
    Set<String> expectedSet = new HashSet<>(expected);
    assertThat(expectedSet).as("distinct payloads written").hasSize(expected.size());
    assertThat(stored.keySet()).as("payloads stored").isEqualTo(expectedSet);
  }

  private static int batchOf(String payload) {
    return Integer.parseInt(payload.split("-")[1]);
  }

  private List<Ack> runAndKill(Path data, int round, int first, long killAfterMillis) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Path stderr = dir.resolve("writer-" + round + ".err");
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        IdempotentCrashWriter.class.getName(), data.toString(), Integer.toString(first));
    builder.redirectError(stderr.toFile());
    Process process = builder.start();
    List<Ack> acks = new ArrayList<>();
    CountDownLatch firstAck = new CountDownLatch(1);
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
        String line;
        while ((line = lines.readLine()) != null) {
          Matcher m = ACK.matcher(line);
          if (!m.matches()) {
            continue; // the line the kill cut short
          }
          synchronized (acks) {
            acks.add(new Ack(m.group(1), m.group(2),
                IdempotentCrashWriter.payload(Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))),
                Boolean.parseBoolean(m.group(5))));
          }
          firstAck.countDown();
        }
      } catch (IOException e) {
        // The kill closed the pipe; what was read is kept.
      }
    }, "idempotent-crash-ack-reader");
    reader.start();
    try {
      if (!firstAck.await(60, TimeUnit.SECONDS)) {
        fail("round " + round + ": no acknowledgement within 60 s; its stderr:\n"
            + (Files.exists(stderr) ? Files.readString(stderr) : ""));
      }
      Thread.sleep(killAfterMillis);
      assertThat(process.isAlive()).as("round %s: the writer is still writing", round).isTrue();
    } finally {
      process.toHandle().destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
      reader.join(30_000);
    }
    assertThat(process.exitValue()).as("exit status of the killed writer").isEqualTo(137);
    synchronized (acks) {
      return new ArrayList<>(acks);
    }
  }

  /** Reopens the store and checks it against every acknowledgement so far; returns it by payload. */
  private static Map<String, Record> verify(Path data, Map<String, Ack> acked, int round) {
    Map<String, Record> stored = new HashMap<>();
    Map<String, String> shardOf = new HashMap<>();
    try (LocalStreamStore store = LocalStreamStore.open(IdempotentCrashWriter.config(data))) {
      for (Shard shard : store.listShards(ListShardsRequest.of(IdempotentCrashWriter.STREAM)).shards()) {
        for (Record record : StoreTesting.readAll(store, IdempotentCrashWriter.STREAM, shard.shardId(),
            StartingPosition.trimHorizon())) {
          String payload = StoreTesting.text(record);
          Record earlier = stored.put(payload, record);
          assertThat(earlier).as("round %s: %s stored twice (at %s and %s)", round, payload,
              earlier == null ? null : earlier.sequenceNumber(), record.sequenceNumber()).isNull();
          shardOf.put(payload, shard.shardId());
        }
      }
    }
    for (Ack ack : acked.values()) {
      Record record = stored.get(ack.payload());
      if (record == null) {
        fail("round " + round + ": acknowledged record " + ack.payload() + " is missing after the crash");
      }
      assertThat(record.sequenceNumber()).as("sequence number of %s", ack.payload()).isEqualTo(ack.sequenceNumber());
      assertThat(shardOf.get(ack.payload())).as("shard of %s", ack.payload()).isEqualTo(ack.shardId());
    }
    return stored;
  }
}
