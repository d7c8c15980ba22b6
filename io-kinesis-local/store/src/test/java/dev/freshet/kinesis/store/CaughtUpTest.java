package dev.freshet.kinesis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.log.Durability;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.StartingPosition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a GetRecords answer with {@code MillisBehindLatest} 0 promises, the promise a reader
 * stopping at a time relies on ({@code StreamIO.read().withStopReadingAt}): once a read that began
 * at time R finds nothing and is not behind, no record with an arrival time before R appears
 * later. Writers put while a reader tails one shard; every record the reader sees after a
 * caught-up answer must have arrived at or after that answer's start. This fails when the store
 * stamps arrival times before it holds the shard's log (a record stamped, then appended after the
 * reader looked) or answers "not behind" while a group commit's fsync still hides records.
 */
class CaughtUpTest {
  private static final String STREAM = "tail";
  private static final int WRITERS = 3;
  private static final int BATCHES_PER_WRITER = 400;

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(Durability.class)
  void noRecordArrivesBeforeACaughtUpRead(Durability durability) throws Exception {
    StoreConfig config = StoreConfig.builder(dir).setDurability(durability).build();
    try (LocalStreamStore store = LocalStreamStore.open(config)) {
      store.createStream(CreateStreamRequest.provisioned(STREAM, 1));
      String shardId = store.listShards(dev.freshet.sdk.stream.ListShardsRequest.of(STREAM))
          .shards().get(0).shardId();
      List<String> violations = Collections.synchronizedList(new ArrayList<>());
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        Thread thread = new Thread(() -> {
          for (int b = 0; b < BATCHES_PER_WRITER; b++) {
            List<PutRecordsEntry> batch = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
              batch.add(PutRecordsEntry.of("k" + writer, ("w" + writer + "-" + b + "-" + i)
                  .getBytes(StandardCharsets.UTF_8)));
            }
            store.putRecords(STREAM, batch);
            Thread.yield();
          }
        }, "writer-" + w);
        thread.start();
        writers.add(thread);
      }
      long caughtUpAt = Long.MIN_VALUE;
      long caughtUpAnswers = 0;
      long read = 0;
      String iterator = store.getShardIterator(STREAM, shardId, StartingPosition.trimHorizon());
      boolean done = false;
      while (!done) {
        boolean writersDone = writers.stream().noneMatch(Thread::isAlive);
        long requestedAt = System.currentTimeMillis();
        GetRecordsResult result = store.getRecords(iterator, 10_000);
        iterator = result.nextShardIterator();
        for (Record record : result.records()) {
          long arrival = record.approximateArrivalTimestamp().toEpochMilli();
          if (arrival < caughtUpAt) {
            violations.add(String.format("%s arrived at %d, before a caught-up read at %d",
                record.sequenceNumber(), arrival, caughtUpAt));
          }
          read++;
        }
        if (result.records().isEmpty() && result.millisBehindLatest() == 0) {
          caughtUpAt = Math.max(caughtUpAt, requestedAt);
          if (!writersDone) {
            caughtUpAnswers++;
          }
          done = writersDone;
        }
      }
      for (Thread writer : writers) {
        writer.join();
      }
      // The last read began after every writer had finished and found nothing more.
      assertThat(read).isEqualTo((long) WRITERS * BATCHES_PER_WRITER * 5);
      assertThat(caughtUpAnswers).as("caught-up answers while writers ran").isPositive();
      assertThat(violations).isEmpty();
    }
  }
}
