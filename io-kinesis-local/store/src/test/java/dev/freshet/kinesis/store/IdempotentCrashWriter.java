package dev.freshet.kinesis.store;

import dev.freshet.kinesis.log.Durability;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.PutRecordsResultEntry;
import dev.freshet.sdk.stream.errors.ResourceInUseException;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The process {@link IdempotentCrashIT} kills: opens the store with FSYNC durability and puts
 * idempotent batches of one producer, in order from batch {@code first}, until killed, printing one
 * line per acknowledged record ({@code ACK shardId sequenceNumber batch index duplicate END}) after
 * each batch returned.
 *
 * <p>Arguments: data folder, first batch.
 */
final class IdempotentCrashWriter {
  static final String STREAM = "idem";
  static final String PRODUCER = "crash-producer";
  static final int SHARDS = 4;
  static final int BATCH = 100;

  private IdempotentCrashWriter() {}

  static StoreConfig config(Path dir) {
    return StoreConfig.builder(dir).setDurability(Durability.FSYNC).setSegmentBytes(64 << 10).build();
  }

  static String payload(int batch, int index) {
    return "batch-" + batch + "-record-" + index;
  }

  /** Batch {@code batch}: the same records, keys and producer sequences every time it is sent. */
  static List<PutRecordsEntry> batch(int batch) {
    List<PutRecordsEntry> entries = new ArrayList<>(BATCH);
    for (int i = 0; i < BATCH; i++) {
      long sequence = (long) batch * BATCH + i;
      entries.add(PutRecordsEntry.of("key-" + (sequence % 97), payload(batch, i).getBytes(StandardCharsets.UTF_8))
          .withProducer(PRODUCER, BigInteger.valueOf(sequence)));
    }
    return entries;
  }

  public static void main(String[] args) {
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
      e.printStackTrace();
      Runtime.getRuntime().halt(3);
    });
    Path dir = Path.of(args[0]);
    int first = Integer.parseInt(args[1]);
    PrintStream out = new PrintStream(
        new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false,
        StandardCharsets.US_ASCII);
    LocalStreamStore store = LocalStreamStore.open(config(dir));
    try {
      store.createStream(CreateStreamRequest.provisioned(STREAM, SHARDS));
    } catch (ResourceInUseException e) {
      // Created in an earlier round.
    }
    for (int batch = first; ; batch++) {
      PutRecordsResult result = store.putRecords(STREAM, batch(batch));
      StringBuilder lines = new StringBuilder(BATCH * 80);
      List<PutRecordsResultEntry> records = result.records();
      for (int i = 0; i < records.size(); i++) {
        PutRecordsResultEntry entry = records.get(i);
        if (!entry.isSuccessful()) {
          throw new IllegalStateException("refused: " + entry);
        }
        lines.append("ACK ").append(entry.shardId()).append(' ').append(entry.sequenceNumber())
            .append(' ').append(batch).append(' ').append(i).append(' ').append(entry.duplicate())
            .append(" END\n");
      }
      out.print(lines);
      out.flush();
    }
  }
}
