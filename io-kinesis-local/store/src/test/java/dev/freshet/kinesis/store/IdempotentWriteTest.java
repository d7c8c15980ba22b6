package dev.freshet.kinesis.store;

import static dev.freshet.kinesis.store.StoreTesting.entry;
import static dev.freshet.kinesis.store.StoreTesting.readAll;
import static dev.freshet.kinesis.store.StoreTesting.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.crypto.LocalKeyStore;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.PutRecordsResultEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idempotent puts (producer id and sequence) through the store's Java API, on a temp folder. */
class IdempotentWriteTest {
  @TempDir Path dir;
  private LocalStreamStore store;

  @BeforeEach
  void open() {
    store = LocalStreamStore.open(StoreConfig.builder(dir).build());
    store.createStream(CreateStreamRequest.provisioned("s", 2));
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private static PutRecordsEntry idem(String key, String data, String producer, long sequence) {
    return entry(key, data).withProducer(producer, BigInteger.valueOf(sequence));
  }

  private List<Record> all() {
    List<Record> records = new ArrayList<>();
    for (Shard shard : store.describeStream("s").shards()) {
      records.addAll(readAll(store, "s", shard.shardId(), StartingPosition.trimHorizon()));
    }
    return records;
  }

  @Test
  void aPlainRecordSentTwiceIsStoredTwiceAsByTheService() {
    PutRecordsResult first = store.putRecords("s", List.of(entry("k", "v")));
    PutRecordsResult second = store.putRecords("s", List.of(entry("k", "v")));

    assertThat(first.records().get(0).duplicate()).isFalse();
    assertThat(second.records().get(0).duplicate()).isFalse();
    assertThat(second.records().get(0).sequenceNumber()).isNotEqualTo(first.records().get(0).sequenceNumber());
    assertThat(all()).extracting(StoreTesting::text).containsExactly("v", "v");
  }

  @Test
  void aRepeatIsAcknowledgedWithTheOriginalSequenceNumberAndNotAppended() {
    List<PutRecordsEntry> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batch.add(idem("key-" + i, "v" + i, "p", i));
    }
    PutRecordsResult first = store.putRecords("s", batch);
    PutRecordsResult again = store.putRecords("s", batch);

    assertThat(first.failedRecordCount()).isZero();
    assertThat(again.failedRecordCount()).isZero();
    for (int i = 0; i < batch.size(); i++) {
      PutRecordsResultEntry original = first.records().get(i);
      PutRecordsResultEntry repeat = again.records().get(i);
      assertThat(original.duplicate()).isFalse();
      assertThat(repeat.duplicate()).as("entry %s", i).isTrue();
      assertThat(repeat.shardId()).isEqualTo(original.shardId());
      assertThat(repeat.sequenceNumber()).isEqualTo(original.sequenceNumber());
    }
    assertThat(all()).hasSize(50);
    assertThat(all()).extracting(StoreTesting::text).doesNotHaveDuplicates();
  }

  @Test
  void putRecordAnswersARepeatWithTheOriginal() {
    PutRecordResult first = store.putRecord("s", idem("k", "v", "p", 7), null);
    PutRecordResult repeat = store.putRecord("s", idem("k", "v", "p", 7), null);

    assertThat(repeat.sequenceNumber()).isEqualTo(first.sequenceNumber());
    assertThat(repeat.shardId()).isEqualTo(first.shardId());
    assertThat(all()).hasSize(1);
  }

  @Test
  void producersAreDistinctAndARepeatWithinOneBatchIsWrittenOnce() {
    PutRecordsResult result = store.putRecords("s", List.of(
        idem("k", "a", "p1", 1), idem("k", "b", "p2", 1), idem("k", "a-again", "p1", 1), entry("k", "plain")));

    assertThat(result.failedRecordCount()).isZero();
    assertThat(result.records()).extracting(PutRecordsResultEntry::duplicate)
        .containsExactly(false, false, true, false);
    assertThat(result.records().get(2).sequenceNumber()).isEqualTo(result.records().get(0).sequenceNumber());
    assertThat(all()).extracting(StoreTesting::text).containsExactly("a", "b", "plain");
  }

  @Test
  void aLateRecordWithinTheWindowIsWrittenAndOneBelowWhatTheShardForgotIsNot() {
    // Late (a retry overtaken by newer records): not seen before, so written.
    store.putRecords("s", List.of(idem("k", "v5", "p", 5)));
    store.putRecords("s", List.of(idem("k", "v3", "p", 3)));
    assertThat(all()).extracting(StoreTesting::text).containsExactly("v5", "v3");

    // Push 3 and 5 out of the window: sequences at or below the highest forgotten count as written.
    List<PutRecordsEntry> newer = new ArrayList<>();
    for (int i = 0; i < ProducerWindows.WINDOW; i++) {
      newer.add(idem("k", "n" + i, "p", 100 + i));
      if (newer.size() == 500) {
        assertThat(store.putRecords("s", newer).failedRecordCount()).isZero();
        newer.clear();
      }
    }
    store.putRecords("s", newer);
    PutRecordsResult old = store.putRecords("s", List.of(idem("k", "v4", "p", 4), idem("k", "v3", "p", 3)));

    assertThat(old.records()).allSatisfy(r -> assertThat(r.duplicate()).isTrue());
    assertThat(all()).hasSize(2 + ProducerWindows.WINDOW);
  }

  @Test
  void whatEachProducerWroteSurvivesARestartOfTheStore() {
    List<PutRecordsEntry> batch = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      batch.add(idem("key-" + i, "v" + i, "p-" + (i % 3), i));
    }
    PutRecordsResult first = store.putRecords("s", batch);
    store.putRecords("s", List.of(entry("k", "plain")));
    store.close();
    store = LocalStreamStore.open(StoreConfig.builder(dir).build());

    PutRecordsResult again = store.putRecords("s", batch);
    PutRecordsResult next = store.putRecords("s", List.of(idem("k", "new", "p-0", 1_000)));

    for (int i = 0; i < batch.size(); i++) {
      assertThat(again.records().get(i).duplicate()).isTrue();
      assertThat(again.records().get(i).sequenceNumber()).isEqualTo(first.records().get(i).sequenceNumber());
    }
    assertThat(next.records().get(0).duplicate()).isFalse();
    assertThat(all()).hasSize(102);
    assertThat(all()).extracting(StoreTesting::text).contains("plain", "new", "v0", "v99");
  }

  @Test
  void encryptedIdempotentRecordsReadBackAndRepeatsAreRecognisedAfterARestart() {
    store.startStreamEncryption("s", LocalKeyStore.AWS_MANAGED_KEY_ID);
    PutRecordsResult first = store.putRecords("s", List.of(idem("k", "secret", "p", 1), entry("k2", "plain")));
    store.close();
    store = LocalStreamStore.open(StoreConfig.builder(dir).build());

    PutRecordsResult again = store.putRecords("s", List.of(idem("k", "secret", "p", 1)));

    assertThat(again.records().get(0).duplicate()).isTrue();
    assertThat(again.records().get(0).sequenceNumber()).isEqualTo(first.records().get(0).sequenceNumber());
    assertThat(all()).extracting(StoreTesting::text).containsExactlyInAnyOrder("secret", "plain");
    assertThat(all()).extracting(Record::partitionKey).containsExactlyInAnyOrder("k", "k2");
  }

  private List<Record> all(String stream) {
    List<Record> records = new ArrayList<>();
    for (Shard shard : store.describeStream(stream).shards()) {
      records.addAll(readAll(store, stream, shard.shardId(), StartingPosition.trimHorizon()));
    }
    return records;
  }

  @Test
  void aRepeatAfterASplitOrAMergeOfItsShardIsRecognisedAndAnsweredWithTheOriginal() {
    store.createStream(CreateStreamRequest.provisioned("r", 2));
    List<PutRecordsEntry> batch = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      batch.add(idem("key-" + i, "v" + i, "p", i));
    }
    PutRecordsResult first = store.putRecords("r", batch);
    BigInteger quarter = BigInteger.ONE.shiftLeft(126);
    store.splitShard("r", "shardId-000000000000", quarter);              // children 2 and 3
    store.mergeShards("r", "shardId-000000000003", "shardId-000000000001"); // child 4

    PutRecordsResult afterReshard = store.putRecords("r", batch);
    store.close();
    store = LocalStreamStore.open(StoreConfig.builder(dir).build());
    PutRecordsResult afterRestart = store.putRecords("r", batch);
    PutRecordsResult next = store.putRecords("r", List.of(idem("key-0", "new", "p", 1_000)));

    for (PutRecordsResult repeat : List.of(afterReshard, afterRestart)) {
      for (int i = 0; i < batch.size(); i++) {
        assertThat(repeat.records().get(i).duplicate()).as("entry %s", i).isTrue();
        assertThat(repeat.records().get(i).shardId()).isEqualTo(first.records().get(i).shardId());
        assertThat(repeat.records().get(i).sequenceNumber()).isEqualTo(first.records().get(i).sequenceNumber());
      }
    }
    assertThat(next.records().get(0).duplicate()).isFalse();
    assertThat(next.records().get(0).shardId()).isIn("shardId-000000000002", "shardId-000000000004");
    assertThat(all("r")).hasSize(201);
  }

  @Test
  void concurrentRepeatsOfTheSameRecordsAreWrittenOnce() throws Exception {
    List<PutRecordsEntry> batch = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      batch.add(idem("key-" + i, "v" + i, "p", i));
    }
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<PutRecordsResult>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(pool.submit(() -> {
          start.await();
          return store.putRecords("s", batch);
        }));
      }
      start.countDown();
      int written = 0;
      for (Future<PutRecordsResult> result : results) {
        PutRecordsResult r = result.get();
        assertThat(r.failedRecordCount()).isZero();
        written += (int) r.records().stream().filter(e -> !e.duplicate()).count();
      }
      assertThat(written).isEqualTo(200);
    } finally {
      pool.shutdownNow();
    }
    assertThat(all()).hasSize(200);
    assertThat(all()).extracting(StoreTesting::text).doesNotHaveDuplicates();
  }
}
