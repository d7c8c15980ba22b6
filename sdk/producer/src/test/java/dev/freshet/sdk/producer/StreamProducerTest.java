package dev.freshet.sdk.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.kinesis.store.ThrottlingMode;
import dev.freshet.sdk.aggregation.AggregatedRecords;
import dev.freshet.sdk.aggregation.UserRecord;
import dev.freshet.sdk.producer.ProducerMetrics;
import dev.freshet.sdk.producer.RecordFailedException;
import dev.freshet.sdk.producer.StreamProducer;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The producer on the real embedded store. */
class StreamProducerTest {
  @TempDir Path dir;
  private LocalStreamStore store;

  private StreamClient open(ThrottlingMode throttling) {
    store = LocalStreamStore.open(StoreConfig.builder(dir).setThrottling(throttling).build());
    return store;
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void fullBatchesGoOutWithoutWaitingForTheLinger() throws Exception {
    StreamClient client = open(ThrottlingMode.OFF);
    client.createStream(CreateStreamRequest.provisioned("batched", 2));
    List<CompletableFuture<PutRecordResult>> futures = new ArrayList<>();
    try (StreamProducer producer = StreamProducer.builder(client)
        .maxBatchRecords(100).lingerTime(Duration.ofSeconds(60)).build()) {
      for (int i = 0; i < 1000; i++) {
        futures.add(producer.send("batched", PutRecordsEntry.of("k" + (i % 10), "v" + i)));
      }
      futures.get(899).get(30, TimeUnit.SECONDS); // in the 9th full batch: no flush, no linger needed
      producer.flush();
      ProducerMetrics metrics = producer.metrics();
      assertThat(metrics.recordsSent()).isEqualTo(1000);
      assertThat(metrics.batches()).isEqualTo(10);
      assertThat(metrics.recordsFailed()).isZero();
      assertThat(metrics.inFlightRecords()).isZero();
      assertThat(metrics.inFlightBytes()).isZero();
    }
    assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    assertThat(readAll(client, "batched")).hasSize(1000);
  }

  @Test
  void aPartialBatchWaitsForTheLinger() throws Exception {
    StreamClient client = open(ThrottlingMode.OFF);
    client.createStream(CreateStreamRequest.provisioned("linger", 1));
    try (StreamProducer producer = StreamProducer.builder(client).lingerTime(Duration.ofMillis(300)).build()) {
      long start = System.nanoTime();
      List<CompletableFuture<PutRecordResult>> futures = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        futures.add(producer.send("linger", PutRecordsEntry.of("k", "v" + i)));
      }
      futures.get(4).get(10, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
      assertThat(producer.metrics().batches()).isEqualTo(1);
    }
  }

  @Test
  void aBlockedSendProceedsWhenEarlierRecordsAreAcknowledged() throws Exception {
    StreamClient client = open(ThrottlingMode.OFF);
    client.createStream(CreateStreamRequest.provisioned("pressure", 1));
    try (StreamProducer producer = StreamProducer.builder(client)
        .maxInFlightRecords(2).lingerTime(Duration.ofSeconds(60)).build()) {
      producer.send("pressure", PutRecordsEntry.of("k", "1"));
      producer.send("pressure", PutRecordsEntry.of("k", "2"));
      assertThat(producer.trySend("pressure", PutRecordsEntry.of("k", "x"))).isEmpty();

      CompletableFuture<CompletableFuture<PutRecordResult>> third =
          CompletableFuture.supplyAsync(() -> producer.send("pressure", PutRecordsEntry.of("k", "3")));
      assertThatThrownBy(() -> third.get(200, TimeUnit.MILLISECONDS))
          .isInstanceOf(java.util.concurrent.TimeoutException.class);
      assertThat(producer.metrics().inFlightRecords()).isEqualTo(2);

      producer.flush(); // the two in flight are written; the blocked send gets room
      third.get(10, TimeUnit.SECONDS);
      producer.flush();
      assertThat(producer.metrics().recordsSent()).isEqualTo(3);
    }
    assertThat(readAll(client, "pressure")).extracting(r -> utf8(r.data())).containsExactly("1", "2", "3");
  }

  @Test
  void onlyThrottledEntriesAreRetriedAndNothingIsWrittenTwice() throws Exception {
    StreamClient client = open(ThrottlingMode.AWS);
    client.createStream(CreateStreamRequest.provisioned("throttled", 1));
    int count = 2500;
    List<CompletableFuture<PutRecordResult>> futures = new ArrayList<>();
    try (StreamProducer producer = StreamProducer.builder(client)
        .lingerTime(Duration.ZERO)
        .maxAttempts(100)
        .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
        .recordTtl(Duration.ofSeconds(60))
        .build()) {
      for (int i = 0; i < count; i++) {
        futures.add(producer.send("throttled", PutRecordsEntry.of("k" + i, "record " + i)));
      }
      producer.flush();
      ProducerMetrics metrics = producer.metrics();
      assertThat(metrics.recordsSent()).isEqualTo(count);
      assertThat(metrics.retries()).isPositive(); // 2,500 records at once exceed 1,000 records/s
      assertThat(metrics.recordsFailed()).isZero();
    }
    for (CompletableFuture<PutRecordResult> f : futures) {
      assertThat(f).isCompleted();
    }
    List<String> read = readAll(client, "throttled").stream().map(r -> utf8(r.data())).toList();
    assertThat(read).hasSize(count).doesNotHaveDuplicates();
  }

  @Test
  void aPermanentErrorFailsTheFutureAtOnce() {
    StreamClient client = open(ThrottlingMode.OFF);
    try (StreamProducer producer = StreamProducer.builder(client).lingerTime(Duration.ZERO).build()) {
      CompletableFuture<PutRecordResult> future = producer.send("nowhere", PutRecordsEntry.of("k", "v"));
      assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ResourceNotFoundException.class);
      producer.flush();
      assertThat(producer.metrics().recordsFailed()).isEqualTo(1);
      assertThat(producer.metrics().retries()).isZero();
      assertThatThrownBy(() -> producer.send("s", PutRecordsEntry.of("", "v")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partitionKey");
    }
  }

  @Test
  void aRecordThatOutlivesItsTtlFails() throws Exception {
    StreamClient client = open(ThrottlingMode.AWS);
    client.createStream(CreateStreamRequest.provisioned("ttl", 1));
    try (StreamProducer producer = StreamProducer.builder(client).lingerTime(Duration.ZERO)
        .maxAttempts(1000).backoff(Duration.ofMillis(200), Duration.ofMillis(200))
        .recordTtl(Duration.ofMillis(300)).build()) {
      List<CompletableFuture<PutRecordResult>> futures = new ArrayList<>();
      byte[] big = new byte[500_000];
      for (int i = 0; i < 10; i++) { // 5 MB at a shard limit of 1 MiB/s
        futures.add(producer.send("ttl", PutRecordsEntry.of("k" + i, big)));
      }
      producer.flush();
      assertThat(futures).anySatisfy(f -> assertThatThrownBy(f::join)
          .hasCauseInstanceOf(RecordFailedException.class)
          .satisfies(e -> assertThat(((RecordFailedException) e.getCause()).errorCode())
              .isEqualTo(RecordFailedException.EXPIRED)));
    }
  }

  @Test
  void aggregatesLandOnThePredictedShardsAndDecodeToEveryRecordInOrder() throws Exception {
    StreamClient client = open(ThrottlingMode.OFF);
    client.createStream(CreateStreamRequest.provisioned("packed", 4));
    int count = 3000;
    Map<String, PutRecordResult> acknowledged = new HashMap<>();
    try (StreamProducer producer = StreamProducer.builder(client).aggregation(true)
        .lingerTime(Duration.ofMillis(20)).build()) {
      Map<String, CompletableFuture<PutRecordResult>> futures = new LinkedHashMap<>();
      for (int i = 0; i < count; i++) {
        String key = "user-" + (i % 37);
        futures.put(key + "#" + i, producer.send("packed", PutRecordsEntry.of(key, key + "#" + i)));
      }
      producer.flush();
      for (var e : futures.entrySet()) {
        acknowledged.put(e.getKey(), e.getValue().get());
      }
      ProducerMetrics metrics = producer.metrics();
      assertThat(metrics.recordsSent()).isEqualTo(count);
      assertThat(metrics.aggregatedRecords()).isPositive();
    }

    List<Shard> shards = client.listShards(ListShardsRequest.of("packed")).shards();
    Map<String, Integer> lastIndexByKey = new HashMap<>();
    int users = 0;
    int streamRecords = 0;
    for (Shard shard : shards) {
      for (Record record : readShard(client, "packed", shard.shardId())) {
        streamRecords++;
        List<UserRecord> unpacked = AggregatedRecords.isAggregated(record.data())
            ? AggregatedRecords.decode(record.data())
            : List.of(UserRecord.of(record.partitionKey(), null, record.data()));
        for (UserRecord user : unpacked) {
          users++;
          String value = utf8(user.data());
          assertThat(shard.hashKeyRange().contains(hashKey(user.partitionKey())))
              .as("%s is on the shard its key routes to", value).isTrue();
          PutRecordResult ack = acknowledged.remove(value);
          assertThat(ack).as("%s acknowledged once", value).isNotNull();
          assertThat(ack.shardId()).isEqualTo(shard.shardId());
          assertThat(ack.sequenceNumber()).isEqualTo(record.sequenceNumber());
          int index = Integer.parseInt(value.substring(value.indexOf('#') + 1));
          Integer previous = lastIndexByKey.put(user.partitionKey(), index);
          assertThat(previous == null || previous < index).as("order of %s", user.partitionKey()).isTrue();
        }
      }
    }
    assertThat(users).isEqualTo(count);
    assertThat(acknowledged).isEmpty();
    assertThat(streamRecords).isLessThan(count / 10);
  }

  @Test
  void aggregationFollowsASplitShard() throws Exception {
    StreamClient client = open(ThrottlingMode.OFF);
    client.createStream(CreateStreamRequest.provisioned("resharded", 1));
    try (StreamProducer producer = StreamProducer.builder(client).aggregation(true).build()) {
      for (int i = 0; i < 200; i++) {
        producer.send("resharded", PutRecordsEntry.of("k" + i, "before " + i));
      }
      producer.flush();
      Shard parent = client.listShards(ListShardsRequest.of("resharded")).shards().get(0);
      client.splitShard("resharded", parent.shardId(), parent.hashKeyRange().endingHashKey().shiftRight(1));
      List<CompletableFuture<PutRecordResult>> after = new ArrayList<>();
      for (int round = 0; round < 2; round++) { // the first round finds out, the second uses the new map
        for (int i = 0; i < 200; i++) {
          after.add(producer.send("resharded", PutRecordsEntry.of("k" + i, "after " + round + " " + i)));
        }
        producer.flush();
      }
      assertThat(after).allMatch(f -> !f.isCompletedExceptionally());
      assertThat(after.subList(200, 400)).allMatch(f -> !f.join().shardId().equals(parent.shardId()));
    }
  }

  static BigInteger hashKey(String partitionKey) throws Exception {
    return new BigInteger(1, java.security.MessageDigest.getInstance("MD5").digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
  }

  static List<Record> readAll(StreamClient client, String stream) {
    List<Record> all = new ArrayList<>();
    for (Shard shard : client.listShards(ListShardsRequest.of(stream)).shards()) {
      all.addAll(readShard(client, stream, shard.shardId()));
    }
    return all;
  }

  static List<Record> readShard(StreamClient client, String stream, String shardId) {
    List<Record> records = new ArrayList<>();
    String iterator = client.getShardIterator(stream, shardId, StartingPosition.trimHorizon());
    while (iterator != null) {
      GetRecordsResult page = client.getRecords(iterator, 10_000);
      records.addAll(page.records());
      if (page.records().isEmpty() && page.millisBehindLatest() == 0) {
        break;
      }
      iterator = page.nextShardIterator();
    }
    return records;
  }

  static String utf8(byte[] data) {
    return new String(data, StandardCharsets.UTF_8);
  }
}
