package dev.freshet.kinesis.store;

import static dev.freshet.kinesis.store.StoreTesting.entry;
import static dev.freshet.kinesis.store.StoreTesting.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.ChildShard;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.HashKeyRange;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.ListShardsResult;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.ShardFilter;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.errors.ExpiredNextTokenException;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.LimitExceededException;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReshardingTest {
  private static final BigInteger HALF = BigInteger.ONE.shiftLeft(127);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private LocalStreamStore store;

  @BeforeEach
  void open() {
    store = LocalStreamStore.open(StoreConfig.builder(dir).setClock(clock).setShardLimit(40).build());
  }

  @AfterEach
  void close() {
    store.close();
  }

  private List<Shard> shards(String stream) {
    return store.describeStream(stream).shards();
  }

  private static List<Shard> open(List<Shard> shards) {
    return shards.stream().filter(Shard::isOpen)
        .sorted(Comparator.comparing(s -> s.hashKeyRange().startingHashKey())).toList();
  }

  /** The open shards tile the whole hash-key space without gaps or overlaps. */
  private static void assertTiles(List<Shard> open) {
    BigInteger next = BigInteger.ZERO;
    for (Shard shard : open) {
      assertThat(shard.hashKeyRange().startingHashKey()).isEqualTo(next);
      next = shard.hashKeyRange().endingHashKey().add(BigInteger.ONE);
    }
    assertThat(next).isEqualTo(HashKeyRange.MAX_HASH_KEY.add(BigInteger.ONE));
  }

  @Test
  void splitClosesTheParentAndNamesItsChildren() {
    store.createStream(CreateStreamRequest.provisioned("s", 1));
    store.putRecord("s", entry("before", "1"), null);
    store.splitShard("s", "shardId-000000000000", HALF);
    store.putRecord("s", entry("after", "2"), null);

    List<Shard> shards = shards("s");
    assertThat(shards).hasSize(3);
    Shard parent = shards.get(0);
    assertThat(parent.isOpen()).isFalse();
    assertThat(parent.sequenceNumberRange().endingSequenceNumber()).isNotNull();
    assertThat(shards.get(1).parentShardId()).isEqualTo("shardId-000000000000");
    assertThat(shards.get(1).hashKeyRange().endingHashKey()).isEqualTo(HALF.subtract(BigInteger.ONE));
    assertThat(shards.get(2).hashKeyRange().startingHashKey()).isEqualTo(HALF);
    assertTiles(open(shards));

    // Reading the parent to its end returns its record, then no iterator and the children.
    String iterator = store.getShardIterator("s", parent.shardId(), StartingPosition.trimHorizon());
    GetRecordsResult page = store.getRecords(iterator, 100);
    assertThat(page.records()).extracting(StoreTesting::text).containsExactly("1");
    assertThat(page.nextShardIterator()).isNull();
    assertThat(page.childShards()).extracting(ChildShard::shardId)
        .containsExactly("shardId-000000000001", "shardId-000000000002");
    assertThat(page.childShards().get(0).parentShards()).containsExactly("shardId-000000000000");

    // Child sequence numbers are greater than the parent's.
    String parentLast = page.records().get(0).sequenceNumber();
    String childFirst = store.putRecord("s", entry("k", "3"), null).sequenceNumber();
    assertThat(new BigInteger(childFirst)).isGreaterThan(new BigInteger(parentLast));
    assertThat(new BigInteger(childFirst)).isGreaterThan(
        new BigInteger(parent.sequenceNumberRange().endingSequenceNumber()));
  }

  @Test
  void splitRefusesBadKeysClosedShardsAndTheLimit() {
    store.createStream(CreateStreamRequest.provisioned("s", 2));
    assertThatThrownBy(() -> store.splitShard("s", "shardId-000000000000", BigInteger.ZERO))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("NewStartingHashKey 0");
    assertThatThrownBy(() -> store.splitShard("s", "shardId-000000000000", HALF.add(BigInteger.ONE)))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> store.splitShard("s", "shardId-000000000009", BigInteger.TEN))
        .isInstanceOf(ResourceNotFoundException.class);
    store.splitShard("s", "shardId-000000000000", BigInteger.TEN);
    assertThatThrownBy(() -> store.splitShard("s", "shardId-000000000000", BigInteger.TWO))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("closed");
    assertThat(shards("s")).hasSize(4);

    store.createStream(CreateStreamRequest.provisioned("big", 37));
    assertThatThrownBy(() -> store.splitShard("big", "shardId-000000000000", BigInteger.TEN))
        .isInstanceOf(LimitExceededException.class);
  }

  @Test
  void mergeNeedsAdjacentOpenShards() {
    store.createStream(CreateStreamRequest.provisioned("m", 3));
    store.putRecord("m", entry("x", "before"), null);
    assertThatThrownBy(() -> store.mergeShards("m", "shardId-000000000000", "shardId-000000000002"))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("not an adjacent pair");
    assertThatThrownBy(() -> store.mergeShards("m", "shardId-000000000001", "shardId-000000000001"))
        .isInstanceOf(InvalidArgumentException.class);
    store.mergeShards("m", "shardId-000000000001", "shardId-000000000000");
    List<Shard> shards = shards("m");
    Shard child = shards.get(3);
    assertThat(child.parentShardId()).isEqualTo("shardId-000000000001");
    assertThat(child.adjacentParentShardId()).isEqualTo("shardId-000000000000");
    assertThat(child.hashKeyRange().startingHashKey()).isZero();
    assertTiles(open(shards));
    // Both parents name the merged child when read to their end.
    for (String parent : List.of("shardId-000000000000", "shardId-000000000001")) {
      String iterator = store.getShardIterator("m", parent, StartingPosition.latest());
      GetRecordsResult page = store.getRecords(iterator, 10);
      assertThat(page.nextShardIterator()).isNull();
      assertThat(page.childShards()).extracting(ChildShard::shardId).containsExactly(child.shardId());
      assertThat(page.childShards().get(0).parentShards())
          .containsExactly("shardId-000000000001", "shardId-000000000000");
    }
  }

  @Test
  void updateShardCountScalesUniformlyWithExactLineage() {
    store.createStream(CreateStreamRequest.provisioned("u", 5));
    Map<String, Integer> expected = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      store.putRecord("u", entry("key-" + i, "a" + i), null);
      expected.merge("key-" + i, 1, Integer::sum);
    }
    assertThat(store.updateShardCount("u", 3)).isEqualTo(5);
    List<Shard> open = open(shards("u"));
    assertThat(open).hasSize(3);
    assertThat(open).extracting(Shard::hashKeyRange).containsExactlyElementsOf(HashRouter.evenRanges(3));
    for (int i = 0; i < 200; i++) {
      store.putRecord("u", entry("key-" + i, "b" + i), null);
    }
    assertThat(store.updateShardCount("u", 6)).isEqualTo(3);
    assertThat(open(shards("u"))).extracting(Shard::hashKeyRange)
        .containsExactlyElementsOf(HashRouter.evenRanges(6));

    // Every child's parents cover its range, so draining parents first keeps per-key order.
    Map<String, Shard> byId = shards("u").stream().collect(Collectors.toMap(Shard::shardId, s -> s));
    for (Shard shard : shards("u")) {
      if (shard.parentShardId() != null) {
        Shard parent = byId.get(shard.parentShardId());
        Shard adjacent = shard.adjacentParentShardId() == null ? null : byId.get(shard.adjacentParentShardId());
        BigInteger start = parent.hashKeyRange().startingHashKey();
        BigInteger end = parent.hashKeyRange().endingHashKey();
        if (adjacent != null) {
          start = start.min(adjacent.hashKeyRange().startingHashKey());
          end = end.max(adjacent.hashKeyRange().endingHashKey());
        }
        assertThat(shard.hashKeyRange().startingHashKey()).isGreaterThanOrEqualTo(start);
        assertThat(shard.hashKeyRange().endingHashKey()).isLessThanOrEqualTo(end);
      }
    }
    // Reading every shard, parents before children, gives each key's records in write order.
    Map<String, List<String>> perKey = new HashMap<>();
    for (Shard shard : shards("u")) { // creation order: parents come first
      for (Record record : readAll(store, "u", shard.shardId(), StartingPosition.trimHorizon())) {
        perKey.computeIfAbsent(record.partitionKey(), k -> new ArrayList<>()).add(StoreTesting.text(record));
      }
    }
    assertThat(perKey).hasSize(200);
    perKey.forEach((key, values) -> {
      String i = key.substring(4);
      assertThat(values).containsExactly("a" + i, "b" + i);
    });
  }

  @Test
  void updateShardCountStaysWithinHalfAndDouble() {
    store.createStream(CreateStreamRequest.provisioned("u", 4));
    assertThatThrownBy(() -> store.updateShardCount("u", 9))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("double");
    assertThatThrownBy(() -> store.updateShardCount("u", 1))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("half");
    assertThat(store.updateShardCount("u", 4)).isEqualTo(4);
    assertThat(shards("u")).hasSize(4); // already even: nothing to do
  }

  @Test
  void listShardsFiltersAsTheService() {
    store.createStream(CreateStreamRequest.provisioned("f", 2));
    Instant created = clock.instant();
    clock.advance(Duration.ofMinutes(10));
    Instant beforeSplit = clock.instant();
    store.splitShard("f", "shardId-000000000000", BigInteger.ONE);
    clock.advance(Duration.ofMinutes(10));

    assertThat(ids(ListShardsRequest.of("f"))).containsExactly(
        "shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003");
    assertThat(ids(filtered(ShardFilter.atLatest()))).containsExactly(
        "shardId-000000000001", "shardId-000000000002", "shardId-000000000003");
    assertThat(ids(filtered(ShardFilter.atTrimHorizon())))
        .containsExactly("shardId-000000000000", "shardId-000000000001");
    assertThat(ids(filtered(ShardFilter.fromTrimHorizon()))).hasSize(4);
    assertThat(ids(filtered(ShardFilter.atTimestamp(created.plusSeconds(1)))))
        .containsExactly("shardId-000000000000", "shardId-000000000001");
    assertThat(ids(filtered(ShardFilter.atTimestamp(clock.instant()))))
        .containsExactly("shardId-000000000001", "shardId-000000000002", "shardId-000000000003");
    assertThat(ids(filtered(ShardFilter.fromTimestamp(beforeSplit.minusSeconds(1))))).hasSize(4);
    assertThat(ids(filtered(ShardFilter.fromTimestamp(clock.instant()))))
        .containsExactly("shardId-000000000001", "shardId-000000000002", "shardId-000000000003");
    assertThat(ids(filtered(ShardFilter.afterShardId("shardId-000000000001"))))
        .containsExactly("shardId-000000000002", "shardId-000000000003");
  }

  private ListShardsRequest filtered(ShardFilter filter) {
    return ListShardsRequest.builder().setStream("f").setShardFilter(filter).build();
  }

  private List<String> ids(ListShardsRequest request) {
    return store.listShards(request).shards().stream().map(Shard::shardId).toList();
  }

  @Test
  void listShardsPagesWithTokensThatExpire() {
    store.createStream(CreateStreamRequest.provisioned("p", 7));
    List<String> all = new ArrayList<>();
    ListShardsResult page = store.listShards(
        ListShardsRequest.builder().setStream("p").setMaxResults(3).build());
    all.addAll(page.shards().stream().map(Shard::shardId).toList());
    while (page.nextToken() != null) {
      // Beam's KinesisIO sends the filter again with the token; that must be accepted.
      page = store.listShards(ListShardsRequest.builder().setNextToken(page.nextToken())
          .setStream("p").setShardFilter(ShardFilter.atLatest()).setMaxResults(3).build());
      all.addAll(page.shards().stream().map(Shard::shardId).toList());
    }
    assertThat(all).hasSize(7).doesNotHaveDuplicates();

    String token = store.listShards(ListShardsRequest.builder().setStream("p").setMaxResults(2).build()).nextToken();
    assertThatThrownBy(() -> store.listShards(ListShardsRequest.builder().setNextToken(token)
        .setExclusiveStartShardId("shardId-000000000001").build()))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> store.listShards(ListShardsRequest.next("garbage!")))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> store.listShards(ListShardsRequest.builder().build()))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("NextToken or StreamName");
    clock.advance(Duration.ofMinutes(6));
    assertThatThrownBy(() -> store.listShards(ListShardsRequest.next(token)))
        .isInstanceOf(ExpiredNextTokenException.class);
    assertThat(ids(ListShardsRequest.builder().setStream("p")
        .setExclusiveStartShardId("shardId-000000000004").build()))
        .containsExactly("shardId-000000000005", "shardId-000000000006");
  }
}
