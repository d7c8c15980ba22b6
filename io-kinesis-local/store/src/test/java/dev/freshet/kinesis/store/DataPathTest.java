package dev.freshet.kinesis.store;

import static dev.freshet.kinesis.store.StoreTesting.entry;
import static dev.freshet.kinesis.store.StoreTesting.readAll;
import static dev.freshet.kinesis.store.StoreTesting.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.HashKeyRange;
import dev.freshet.sdk.stream.PutRecordResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.errors.ExpiredIteratorException;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import dev.freshet.sdk.stream.errors.ValidationException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataPathTest {
  private static final String SHARD0 = "shardId-000000000000";

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private LocalStreamStore store;

  @BeforeEach
  void open() {
    store = LocalStreamStore.open(StoreConfig.builder(dir).setClock(clock).build());
    store.createStream(CreateStreamRequest.provisioned("d", 4));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void recordsGoToTheShardOwningTheMd5OfTheirKey() {
    List<Shard> shards = store.describeStream("d").shards();
    for (int i = 0; i < 100; i++) {
      String key = "user-" + i;
      PutRecordResult result = store.putRecord("d", entry(key, "v" + i), null);
      BigInteger hash = HashRouter.hashKey(key);
      Shard owner = shards.stream().filter(s -> s.hashKeyRange().contains(hash)).findFirst().orElseThrow();
      assertThat(result.shardId()).as(key).isEqualTo(owner.shardId());
    }
    // An explicit hash key overrides the partition key.
    PutRecordResult explicit = store.putRecord("d",
        PutRecordsEntry.of("any", HashKeyRange.MAX_HASH_KEY.toString(), "x".getBytes(StandardCharsets.UTF_8)), null);
    assertThat(explicit.shardId()).isEqualTo("shardId-000000000003");
  }

  @Test
  void batchResultsFollowRequestOrderAndReadBackInOrder() {
    List<PutRecordsEntry> batch = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      batch.add(entry("k" + (i % 37), "payload-" + i));
    }
    PutRecordsResult result = store.putRecords("d", batch);
    assertThat(result.failedRecordCount()).isZero();
    assertThat(result.records()).hasSize(500).allMatch(r -> r.isSuccessful());

    List<Record> all = new ArrayList<>();
    for (Shard shard : store.describeStream("d").shards()) {
      List<Record> records = readAll(store, "d", shard.shardId(), StartingPosition.trimHorizon());
      for (int i = 1; i < records.size(); i++) {
        assertThat(new BigInteger(records.get(i).sequenceNumber()))
            .isGreaterThan(new BigInteger(records.get(i - 1).sequenceNumber()));
      }
      all.addAll(records);
    }
    assertThat(all).extracting(StoreTesting::text)
        .containsExactlyInAnyOrderElementsOf(batch.stream().map(e -> new String(e.data(), StandardCharsets.UTF_8)).toList());
    for (int i = 0; i < 500; i++) {
      String sequence = result.records().get(i).sequenceNumber();
      Record record = all.stream().filter(r -> r.sequenceNumber().equals(sequence)).findFirst().orElseThrow();
      assertThat(text(record)).isEqualTo("payload-" + i);
      assertThat(record.partitionKey()).isEqualTo("k" + (i % 37));
      assertThat(record.approximateArrivalTimestamp()).isEqualTo(clock.instant());
    }
  }

  @Test
  void badInputIsRefusedAndNothingIsStored() {
    List<PutRecordsEntry> batch = new ArrayList<>();
    batch.add(entry("ok", "fine"));
    batch.add(entry("", "empty key"));
    assertThatThrownBy(() -> store.putRecords("d", batch))
        .isInstanceOf(ValidationException.class).hasMessageContaining("records.2.member.partitionKey");
    assertThatThrownBy(() -> store.putRecord("d", entry("k".repeat(257), "x"), null))
        .isInstanceOf(ValidationException.class).hasMessageContaining("partitionKey");
    assertThatThrownBy(() -> store.putRecord("d", PutRecordsEntry.of("k", new byte[(1 << 20) + 1]), null))
        .isInstanceOf(ValidationException.class).hasMessageContaining("1048576");
    assertThatThrownBy(() -> store.putRecord("d", PutRecordsEntry.of("k", "12x", new byte[1]), null))
        .isInstanceOf(ValidationException.class).hasMessageContaining("12x");
    assertThatThrownBy(() -> store.putRecord("d",
        PutRecordsEntry.of("k", HashKeyRange.MAX_HASH_KEY.add(BigInteger.ONE).toString(), new byte[1]), null))
        .isInstanceOf(InvalidArgumentException.class);
    List<PutRecordsEntry> tooMany = new ArrayList<>();
    for (int i = 0; i < 501; i++) {
      tooMany.add(entry("k", "x"));
    }
    assertThatThrownBy(() -> store.putRecords("d", tooMany))
        .isInstanceOf(ValidationException.class).hasMessageContaining("500");
    List<PutRecordsEntry> tooBig = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      tooBig.add(PutRecordsEntry.of("k", new byte[1 << 20]));
    }
    assertThatThrownBy(() -> store.putRecords("d", tooBig))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("5 MB");
    assertThatThrownBy(() -> store.putRecords("d", List.of())).isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> store.putRecord("nope", entry("k", "v"), null))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThat(store.metrics("d").incomingRecords()).isZero();
    // A full-size record is fine.
    store.putRecord("d", PutRecordsEntry.of("k", new byte[1 << 20]), null);
    assertThat(store.metrics("d").incomingRecords()).isEqualTo(1);
  }

  @Test
  void iteratorsOfEveryType() {
    String explicit = "0"; // shard 0
    List<String> sequences = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sequences.add(store.putRecord("d", PutRecordsEntry.of("k", explicit, ("r" + i).getBytes(StandardCharsets.UTF_8)), null)
          .sequenceNumber());
      clock.advance(Duration.ofSeconds(10));
    }
    assertThat(texts(StartingPosition.trimHorizon())).containsExactly("r0", "r1", "r2", "r3", "r4");
    assertThat(texts(StartingPosition.atSequenceNumber(sequences.get(2)))).containsExactly("r2", "r3", "r4");
    assertThat(texts(StartingPosition.afterSequenceNumber(sequences.get(2)))).containsExactly("r3", "r4");
    assertThat(texts(StartingPosition.afterSequenceNumber(sequences.get(4)))).isEmpty();
    assertThat(texts(StartingPosition.atTimestamp(Instant.parse("2026-01-01T00:00:15Z")))).containsExactly("r2", "r3", "r4");
    assertThat(texts(StartingPosition.atTimestamp(Instant.parse("2025-01-01T00:00:00Z")))).hasSize(5);
    // The shard's starting sequence number sorts below its first record.
    String start = store.describeStream("d").shards().get(0).sequenceNumberRange().startingSequenceNumber();
    assertThat(texts(StartingPosition.afterSequenceNumber(start))).hasSize(5);
    assertThat(texts(StartingPosition.atSequenceNumber(start))).hasSize(5);

    String latest = store.getShardIterator("d", SHARD0, StartingPosition.latest());
    assertThat(store.getRecords(latest, 10).records()).isEmpty();
    store.putRecord("d", PutRecordsEntry.of("k", explicit, "r5".getBytes(StandardCharsets.UTF_8)), null);
    GetRecordsResult page = store.getRecords(latest, 10);
    assertThat(page.records()).extracting(StoreTesting::text).containsExactly("r5");
    assertThat(page.millisBehindLatest()).isZero();
    assertThat(page.nextShardIterator()).isNotNull();

    String sequenceOfOtherShard = store.putRecord("d",
        PutRecordsEntry.of("k", HashKeyRange.MAX_HASH_KEY.toString(), new byte[1]), null).sequenceNumber();
    assertThatThrownBy(() -> store.getShardIterator("d", SHARD0, StartingPosition.atSequenceNumber(sequenceOfOtherShard)))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("did not come from this stream");
    assertThatThrownBy(() -> store.getShardIterator("d", SHARD0, StartingPosition.atSequenceNumber("12abc")))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> store.getShardIterator("d", "shardId-000000000099", StartingPosition.latest()))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(() -> store.getShardIterator("d", "shard-0", StartingPosition.latest()))
        .isInstanceOf(ValidationException.class);
  }

  private List<String> texts(StartingPosition position) {
    return readAll(store, "d", SHARD0, position).stream().map(StoreTesting::text).toList();
  }

  @Test
  void pagingReportsHowFarBehindTheReaderIs() {
    for (int i = 0; i < 10; i++) {
      store.putRecord("d", PutRecordsEntry.of("k", "0", ("r" + i).getBytes(StandardCharsets.UTF_8)), null);
      clock.advance(Duration.ofSeconds(1));
    }
    GetRecordsResult first = store.getRecords(store.getShardIterator("d", SHARD0, StartingPosition.trimHorizon()), 4);
    assertThat(first.records()).hasSize(4);
    assertThat(first.millisBehindLatest()).isEqualTo(6_000);
    GetRecordsResult rest = store.getRecords(first.nextShardIterator(), 100);
    assertThat(rest.records()).hasSize(6);
    assertThat(rest.millisBehindLatest()).isZero();
    assertThat(store.metrics("d").shards().get(SHARD0).outgoingRecords()).isEqualTo(10);
  }

  @Test
  void iteratorsExpireAndCannotBeEditedOrMoved() {
    store.createStream(CreateStreamRequest.provisioned("other", 1));
    store.putRecord("other", entry("k", "secret"), null);
    String iterator = store.getShardIterator("d", SHARD0, StartingPosition.trimHorizon());

    char[] edited = iterator.toCharArray();
    edited[edited.length / 2] = edited[edited.length / 2] == 'A' ? 'B' : 'A';
    assertThatThrownBy(() -> store.getRecords(new String(edited), 10))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> store.getRecords("not-an-iterator", 10))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> store.getRecords(iterator, 0)).isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> store.getRecords(iterator, 10_001)).isInstanceOf(ValidationException.class);

    clock.advance(Duration.ofMinutes(4));
    store.getRecords(iterator, 10);
    clock.advance(Duration.ofMinutes(1).plusMillis(1));
    assertThatThrownBy(() -> store.getRecords(iterator, 10)).isInstanceOf(ExpiredIteratorException.class);
  }

  @Test
  void anIteratorOfADeletedStreamDoesNotReadItsSuccessor() {
    store.putRecord("d", entry("k", "old"), null);
    String iterator = store.getShardIterator("d", SHARD0, StartingPosition.trimHorizon());
    store.deleteStream("d", false);
    store.createStream(CreateStreamRequest.provisioned("d", 4));
    store.putRecord("d", PutRecordsEntry.of("k", "0", "new".getBytes(StandardCharsets.UTF_8)), null);
    assertThatThrownBy(() -> store.getRecords(iterator, 10))
        .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("deleted");
  }

  @Test
  void sequenceNumberForOrderingIsValidated() {
    PutRecordResult first = store.putRecord("d", entry("k", "1"), null);
    PutRecordResult second = store.putRecord("d", entry("k", "2"), first.sequenceNumber());
    assertThat(new BigInteger(second.sequenceNumber())).isGreaterThan(new BigInteger(first.sequenceNumber()));
    assertThatThrownBy(() -> store.putRecord("d", entry("k", "3"), "bogus"))
        .isInstanceOf(InvalidArgumentException.class);
  }

  @Test
  void recordsSurviveReopenWithTheirSequenceNumbers() {
    PutRecordResult written = store.putRecord("d", PutRecordsEntry.of("k", "0", "kept".getBytes(StandardCharsets.UTF_8)), null);
    store.close();
    store = LocalStreamStore.open(StoreConfig.builder(dir).setClock(clock).build());
    List<Record> records = readAll(store, "d", SHARD0, StartingPosition.trimHorizon());
    assertThat(records).hasSize(1);
    assertThat(records.get(0).sequenceNumber()).isEqualTo(written.sequenceNumber());
    assertThat(text(records.get(0))).isEqualTo("kept");
    // New writes continue the numbering.
    PutRecordResult next = store.putRecord("d", PutRecordsEntry.of("k", "0", new byte[1]), null);
    assertThat(new BigInteger(next.sequenceNumber())).isGreaterThan(new BigInteger(written.sequenceNumber()));
  }
}
