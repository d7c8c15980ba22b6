package dev.freshet.kinesis.log;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process appending with FSYNC (SIGKILL) at random moments, many times on the same
 * directory, and checks after each kill that every acknowledged record is there, in order and
 * byte-identical, and that the whole log reads back without a checksum error. Each round's child
 * must have acknowledged at least one batch and must have died of the kill (exit status 137), not
 * of an error of its own.
 *
 * <p>A SIGKILL leaves the page cache intact, so this test cannot tell {@link Durability#FSYNC}
 * from {@link Durability#OS}; {@link ShardLogPowerLossIT} simulates the loss of the page cache.
 */
class ShardLogCrashIT {
  private static final int ROUNDS = 22;

  @TempDir Path dir;

  @Test
  void acknowledgedRecordsSurviveKills() throws Exception {
    Path logDir = dir.resolve("shard");
    Random random = new Random();
    String java = ProcessHandle.current().info().command().orElse("java");
    long totalAcked = 0;
    for (int round = 0; round < ROUNDS; round++) {
      Process child =
          new ProcessBuilder(
                  java,
                  "-Xmx128m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  ShardLogCrashChild.class.getName(),
                  logDir.toString(),
                  Integer.toString(round))
              .redirectError(dir.resolve("child-" + round + ".err").toFile())
              .start();
      CompletableFuture<Long> ready = new CompletableFuture<>();
      CompletableFuture<Void> firstAck = new CompletableFuture<>();
      List<String[]> acks = new ArrayList<>();
      Thread collector =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    String[] parts = line.split(" ");
                    if (parts[0].equals("ready")) {
                      ready.complete(Long.parseLong(parts[1]));
                    } else if (parts[0].equals("ack") && parts.length == 5) {
                      synchronized (acks) {
                        acks.add(parts);
                      }
                      firstAck.complete(null);
                    }
                  }
                } catch (IOException e) {
                  // the pipe breaks when the child dies
                } finally {
                  ready.complete(-1L);
                  firstAck.complete(null);
                }
              });
      collector.start();
      long startEnd = ready.get(30, TimeUnit.SECONDS);
      assertThat(startEnd).as("child of round %s started", round).isNotNegative();
      firstAck.get(30, TimeUnit.SECONDS);
      // The crash moment is what is random here; this is not waiting for a result.
      Thread.sleep(50 + random.nextInt(351));
      boolean aliveAtKill = child.isAlive();
      // Through the handle: Process.destroyForcibly also closes our end of stdout, and so would
      // drop acknowledgements the child printed but the collector had not read yet.
      child.toHandle().destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      collector.join(30_000);
      assertThat(collector.isAlive()).as("the child's stdout reached its end").isFalse();
      String stderr = "; its stderr:\n" + Files.readString(dir.resolve("child-" + round + ".err"));
      assertThat(aliveAtKill)
          .as("child of round %s was still appending when killed%s", round, stderr)
          .isTrue();
      assertThat(child.exitValue())
          .as("exit status of the child of round %s (137 = SIGKILL)%s", round, stderr)
          .isEqualTo(137);
      synchronized (acks) {
        assertThat(acks).as("batches acknowledged in round %s%s", round, stderr).isNotEmpty();
      }

      try (ShardLog log = ShardLog.open(logDir, ShardLogCrashChild.config())) {
        long end = log.endOffset();
        assertThat(end).isGreaterThanOrEqualTo(startEnd);
        int[] nextSeq = new int[ShardLogCrashChild.THREADS];
        synchronized (acks) {
          for (String[] ack : acks) {
            long first = Long.parseLong(ack[1]);
            int thread = Integer.parseInt(ack[2]);
            int seq = Integer.parseInt(ack[3]);
            int count = Integer.parseInt(ack[4]);
            assertThat(seq).isEqualTo(nextSeq[thread]);
            nextSeq[thread] += count;
            assertThat(first + count)
                .as("acknowledged end in round %s", round)
                .isLessThanOrEqualTo(end);
            List<LogRecord> records = log.read(first, count, Long.MAX_VALUE).records();
            assertThat(records).hasSize(count);
            for (int i = 0; i < count; i++) {
              LogRecord record = records.get(i);
              byte[] key = ShardLogCrashChild.key(round, thread, seq + i);
              assertThat(record.offset()).isEqualTo(first + i);
              assertThat(record.key()).isEqualTo(key);
              assertThat(record.value()).isEqualTo(ShardLogCrashChild.value(key));
              assertThat((int) record.attributes()).isEqualTo(thread);
            }
          }
          totalAcked += acks.size();
          System.out.printf(
              "round %d: %d acknowledged batches, log end %d -> %d%n",
              round, acks.size(), startEnd, end);
        }
        // Everything, acknowledged or not, reads back whole and checked.
        long next = 0;
        while (next < end) {
          LogReadResult result = log.read(next, 5000, Long.MAX_VALUE);
          for (LogRecord record : result.records()) {
            assertThat(record.offset()).isEqualTo(next++);
            assertThat(record.value()).isEqualTo(ShardLogCrashChild.value(record.key()));
          }
        }
      }
    }
    assertThat(totalAcked).as("acknowledged batches over all rounds").isPositive();
  }
}
