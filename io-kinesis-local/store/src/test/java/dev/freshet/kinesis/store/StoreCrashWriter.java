package dev.freshet.kinesis.store;

import dev.freshet.kinesis.log.Durability;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.PutRecordsResultEntry;
import dev.freshet.sdk.stream.errors.ResourceInUseException;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process {@link StoreCrashIT} kills: opens the store with FSYNC durability, creates the
 * stream if missing, and puts batches from two threads until killed, printing one line per
 * acknowledged record ({@code ACK shardId sequenceNumber round batch index END}) and flushing
 * after each batch. A line is printed only after putRecords returned it as successful, so every
 * whole line names a record the store promised to keep.
 *
 * <p>Arguments: data folder, round number.
 */
final class StoreCrashWriter {
  static final String STREAM = "crash";
  static final int SHARDS = 4;
  static final int BATCH = 100;
  static final int KEY_SPACE = 10_000;
  static final long SEGMENT_BYTES = 64 << 10;

  private StoreCrashWriter() {}

  static StoreConfig config(Path dir) {
    // Small segments so that kills also land in segment rolls.
    return StoreConfig.builder(dir).setDurability(Durability.FSYNC).setSegmentBytes(SEGMENT_BYTES).build();
  }

  /** The records of batch {@code batch} of {@code round}, all derivable from their ids. */
  static List<PutRecordsEntry> batch(int round, int batch) {
    List<PutRecordsEntry> entries = new ArrayList<>(BATCH);
    for (int i = 0; i < BATCH; i++) {
      CheckedPayload payload = new CheckedPayload(round, batch, i);
      entries.add(PutRecordsEntry.of(payload.partitionKey(KEY_SPACE), payload.encode()));
    }
    return entries;
  }

  public static void main(String[] args) throws Exception {
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
      // A writer that fails must not leave a half-alive process: the test reports the exit.
      e.printStackTrace();
      Runtime.getRuntime().halt(3);
    });
    Path dir = Path.of(args[0]);
    int round = Integer.parseInt(args[1]);
    PrintStream out = new PrintStream(
        new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false,
        StandardCharsets.US_ASCII);
    LocalStreamStore store = LocalStreamStore.open(config(dir));
    try {
      store.createStream(CreateStreamRequest.provisioned(STREAM, SHARDS));
    } catch (ResourceInUseException e) {
      // Created in an earlier round.
    }
    AtomicInteger batches = new AtomicInteger();
    Runnable writer = () -> {
      while (true) {
        int batch = batches.getAndIncrement();
        PutRecordsResult result = store.putRecords(STREAM, batch(round, batch));
        StringBuilder lines = new StringBuilder(BATCH * 64);
        List<PutRecordsResultEntry> records = result.records();
        for (int i = 0; i < records.size(); i++) {
          PutRecordsResultEntry entry = records.get(i);
          if (entry.isSuccessful()) {
            lines.append("ACK ").append(entry.shardId()).append(' ').append(entry.sequenceNumber())
                .append(' ').append(round).append(' ').append(batch).append(' ').append(i)
                .append(" END\n");
          }
        }
        synchronized (out) {
          out.print(lines);
          out.flush();
        }
      }
    };
    Thread first = new Thread(writer, "crash-writer-1");
    Thread second = new Thread(writer, "crash-writer-2");
    first.start();
    second.start();
    first.join();
  }
}
