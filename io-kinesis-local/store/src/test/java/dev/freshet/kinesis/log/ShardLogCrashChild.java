package dev.freshet.kinesis.log;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The process {@link ShardLogCrashIT} kills: appends batches with FSYNC from several threads
 * forever and prints each acknowledged batch as {@code ack <first offset> <thread> <first seq>
 * <count>}, one flushed line per batch. Record {@code seq} of thread {@code t} in round {@code r}
 * has key {@code r:t:seq} and a value derived from the key.
 */
public final class ShardLogCrashChild {
  static final int THREADS = 3;

  static LogConfig config() {
    return LogConfig.builder()
        .setDurability(Durability.FSYNC)
        .setSegmentBytes(64 * 1024)
        .setIndexIntervalBytes(1024)
        .build();
  }

  static byte[] key(int round, int thread, int seq) {
    return (round + ":" + thread + ":" + seq).getBytes(UTF_8);
  }

  static byte[] value(byte[] key) {
    int length = 1 + Math.floorMod(java.util.Arrays.hashCode(key), 700);
    byte[] value = new byte[length];
    for (int i = 0; i < length; i++) {
      value[i] = (byte) (key[i % key.length] * 7 + i);
    }
    return value;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int round = Integer.parseInt(args[1]);
    PrintStream out = System.out;
    ShardLog log = ShardLog.open(dir, config());
    synchronized (out) {
      out.println("ready " + log.endOffset());
      out.flush();
    }
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      Thread appender =
          new Thread(
              () -> {
                Random random = new Random(round * 31L + thread);
                int seq = 0;
                try {
                  while (true) {
                    int count = 1 + random.nextInt(40);
                    List<LogEntry> batch = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                      byte[] key = key(round, thread, seq + i);
                      batch.add(LogEntry.of(key, value(key)));
                    }
                    long first = log.append(System.currentTimeMillis(), (byte) thread, batch);
                    synchronized (out) {
                      out.println("ack " + first + " " + thread + " " + seq + " " + count);
                      out.flush();
                    }
                    seq += count;
                  }
                } catch (Exception e) {
                  e.printStackTrace();
                  System.exit(2);
                }
              });
      threads.add(appender);
      appender.start();
    }
    for (Thread t : threads) {
      t.join();
    }
  }
}
