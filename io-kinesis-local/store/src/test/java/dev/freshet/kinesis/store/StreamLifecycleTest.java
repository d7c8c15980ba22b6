package dev.freshet.kinesis.store;

import static dev.freshet.kinesis.store.StoreTesting.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.ListStreamsResult;
import dev.freshet.sdk.stream.StreamDescription;
import dev.freshet.sdk.stream.StreamMode;
import dev.freshet.sdk.stream.StreamStatus;
import dev.freshet.sdk.stream.StreamSummary;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.LimitExceededException;
import dev.freshet.sdk.stream.errors.ResourceInUseException;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import dev.freshet.sdk.stream.errors.ValidationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamLifecycleTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private LocalStreamStore store;

  @BeforeEach
  void open() {
    store = LocalStreamStore.open(StoreConfig.builder(dir).setClock(clock).setShardLimit(20).build());
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void createDescribeAndSummary() {
    store.createStream(CreateStreamRequest.provisioned("clicks", 3).withTags(Map.of("team", "web")));

    StreamDescription description = store.describeStream("clicks");
    assertThat(description.streamArn()).isEqualTo("arn:aws:kinesis:us-east-1:000000000000:stream/clicks");
    assertThat(description.streamStatus()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(description.streamMode()).isEqualTo(StreamMode.PROVISIONED);
    assertThat(description.retentionPeriodHours()).isEqualTo(24);
    assertThat(description.creationTimestamp()).isEqualTo(clock.instant());
    assertThat(description.shards()).extracting(s -> s.shardId())
        .containsExactly("shardId-000000000000", "shardId-000000000001", "shardId-000000000002");
    assertThat(description.shards()).allMatch(s -> s.isOpen() && s.parentShardId() == null);
    assertThat(description.shards().get(0).hashKeyRange().startingHashKey()).isZero();
    assertThat(description.shards().get(2).hashKeyRange().endingHashKey())
        .isEqualTo(dev.freshet.sdk.stream.HashKeyRange.MAX_HASH_KEY);

    StreamSummary summary = store.describeStreamSummary(description.streamArn());
    assertThat(summary.openShardCount()).isEqualTo(3);
    assertThat(store.listTagsForStream("clicks")).containsExactly(Map.entry("team", "web"));
  }

  @Test
  void onDemandStartsWithFourShards() {
    store.createStream(CreateStreamRequest.onDemand("events"));
    assertThat(store.describeStreamSummary("events").openShardCount()).isEqualTo(4);
    assertThat(store.describeStreamSummary("events").streamMode()).isEqualTo(StreamMode.ON_DEMAND);
    store.updateStreamMode("events", StreamMode.PROVISIONED);
    assertThat(store.describeStreamSummary("events").streamMode()).isEqualTo(StreamMode.PROVISIONED);
  }

  @Test
  void refusesBadNamesDuplicatesAndTooManyShards() {
    assertThatThrownBy(() -> store.createStream(CreateStreamRequest.provisioned("bad name!", 1)))
        .isInstanceOf(ValidationException.class).hasMessageContaining("bad name!");
    assertThatThrownBy(() -> store.createStream(CreateStreamRequest.provisioned("x".repeat(129), 1)))
        .isInstanceOf(ValidationException.class);
    store.createStream(CreateStreamRequest.provisioned("a", 15));
    assertThatThrownBy(() -> store.createStream(CreateStreamRequest.provisioned("a", 1)))
        .isInstanceOf(ResourceInUseException.class).hasMessageContaining("already exists");
    assertThatThrownBy(() -> store.createStream(CreateStreamRequest.provisioned("b", 6)))
        .isInstanceOf(LimitExceededException.class).hasMessageContaining("shard limit");
    assertThat(store.describeLimits().openShardCount()).isEqualTo(15);
    assertThat(store.describeLimits().shardLimit()).isEqualTo(20);
  }

  @Test
  void missingStreamIsResourceNotFound() {
    assertThatThrownBy(() -> store.describeStream("nope"))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessage("Stream nope under account 000000000000 not found.");
    assertThatThrownBy(() -> store.describeStream("arn:aws:kinesis:eu-west-1:000000000000:stream/nope"))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(() -> store.describeStream("arn:bad"))
        .isInstanceOf(InvalidArgumentException.class);
  }

  @Test
  void listsStreamsInPages() {
    for (int i = 0; i < 7; i++) {
      store.createStream(CreateStreamRequest.provisioned("s" + i, 1));
    }
    List<String> names = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      ListStreamsResult page = store.listStreams(token, 3);
      names.addAll(page.streamNames());
      token = page.nextToken();
      pages++;
    } while (token != null);
    assertThat(names).containsExactly("s0", "s1", "s2", "s3", "s4", "s5", "s6");
    assertThat(pages).isEqualTo(3);
    assertThatThrownBy(() -> store.listStreams(null, 0)).isInstanceOf(ValidationException.class);
  }

  @Test
  void listStreamsLeavesOutTheFirehoseInternalStreams() {
    store.createStream(CreateStreamRequest.provisioned("visible", 1));
    store.createStream(CreateStreamRequest.provisioned("__firehose-clicks", 1));
    assertThat(store.listStreams(null, 100).streamNames()).containsExactly("visible");
    assertThat(store.describeStreamSummary("__firehose-clicks").streamName()).isEqualTo("__firehose-clicks");
  }

  @Test
  void deleteRemovesFilesAndIsRefusedWhileConsumersExist() {
    store.createStream(CreateStreamRequest.provisioned("gone", 2));
    store.putRecord("gone", entry("k", "v"), null);
    store.registerStreamConsumer("gone", "app");
    assertThatThrownBy(() -> store.deleteStream("gone", false))
        .isInstanceOf(ResourceInUseException.class).hasMessageContaining("consumers");
    store.deleteStream("gone", true);
    assertThatThrownBy(() -> store.describeStream("gone")).isInstanceOf(ResourceNotFoundException.class);
    assertThat(Files.exists(dir.resolve("streams").resolve("gone"))).isFalse();
    // The name can be used again, for a new, empty stream.
    store.createStream(CreateStreamRequest.provisioned("gone", 1));
    assertThat(StoreTesting.readAll(store, "gone", "shardId-000000000000",
        dev.freshet.sdk.stream.StartingPosition.trimHorizon())).isEmpty();
  }

  @Test
  void statusTransitionsFollowTheConfiguredDelay() {
    store.close();
    store = LocalStreamStore.open(StoreConfig.builder(dir).setClock(clock)
        .setStatusDelay(Duration.ofSeconds(10)).build());
    store.createStream(CreateStreamRequest.provisioned("slow", 1));
    assertThat(store.describeStreamSummary("slow").streamStatus()).isEqualTo(StreamStatus.CREATING);
    assertThatThrownBy(() -> store.putRecord("slow", entry("k", "v"), null))
        .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("CREATING");
    clock.advance(Duration.ofSeconds(10));
    assertThat(store.describeStreamSummary("slow").streamStatus()).isEqualTo(StreamStatus.ACTIVE);

    store.splitShard("slow", "shardId-000000000000", java.math.BigInteger.TEN.pow(30));
    assertThat(store.describeStreamSummary("slow").streamStatus()).isEqualTo(StreamStatus.UPDATING);
    store.putRecord("slow", entry("k", "v"), null); // writes go on while UPDATING
    assertThatThrownBy(() -> store.increaseStreamRetentionPeriod("slow", 48))
        .isInstanceOf(ResourceInUseException.class).hasMessageContaining("UPDATING");
    clock.advance(Duration.ofSeconds(10));

    store.deleteStream("slow", false);
    assertThat(store.describeStreamSummary("slow").streamStatus()).isEqualTo(StreamStatus.DELETING);
    clock.advance(Duration.ofSeconds(10));
    assertThatThrownBy(() -> store.describeStream("slow")).isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void retentionBoundsAndDirection() {
    store.createStream(CreateStreamRequest.provisioned("r", 1));
    store.increaseStreamRetentionPeriod("r", 168);
    assertThat(store.describeStreamSummary("r").retentionPeriodHours()).isEqualTo(168);
    assertThatThrownBy(() -> store.increaseStreamRetentionPeriod("r", 100))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("can not be shorter");
    assertThatThrownBy(() -> store.decreaseStreamRetentionPeriod("r", 200))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("can not be longer");
    assertThatThrownBy(() -> store.decreaseStreamRetentionPeriod("r", 23))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("Minimum allowed retention period is 24 hours");
    assertThatThrownBy(() -> store.increaseStreamRetentionPeriod("r", 8761))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("8760");
    store.decreaseStreamRetentionPeriod("r", 24);
    assertThat(store.describeStreamSummary("r").retentionPeriodHours()).isEqualTo(24);
  }

  @Test
  void tagsAreLimitedToFifty() {
    store.createStream(CreateStreamRequest.provisioned("t", 1));
    Map<String, String> many = new java.util.HashMap<>();
    for (int i = 0; i < 50; i++) {
      many.put("k" + i, "v");
    }
    store.addTagsToStream("t", many);
    store.addTagsToStream("t", Map.of("k1", "changed")); // replacing is fine
    assertThatThrownBy(() -> store.addTagsToStream("t", Map.of("k50", "v")))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("50 tags");
    store.removeTagsFromStream("t", List.of("k1", "k2"));
    assertThat(store.listTagsForStream("t")).hasSize(48).doesNotContainKey("k1");
    assertThatThrownBy(() -> store.addTagsToStream("t", Map.of("", "v")))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("tag key");
  }

  @Test
  void everythingSurvivesReopening() {
    store.createStream(CreateStreamRequest.provisioned("keep", 2).withTags(Map.of("a", "b")));
    store.increaseStreamRetentionPeriod("keep", 48);
    store.putRecord("keep", entry("k", "hello"), null);
    store.splitShard("keep", "shardId-000000000000", java.math.BigInteger.ONE.shiftLeft(126));
    store.registerStreamConsumer("keep", "app");
    store.close();

    store = LocalStreamStore.open(StoreConfig.builder(dir).setClock(clock).build());
    StreamDescription description = store.describeStream("keep");
    assertThat(description.retentionPeriodHours()).isEqualTo(48);
    assertThat(description.shards()).hasSize(4);
    assertThat(description.shards().get(0).isOpen()).isFalse();
    assertThat(store.listTagsForStream("keep")).containsEntry("a", "b");
    assertThat(store.listStreamConsumers("keep")).extracting(c -> c.consumerName()).containsExactly("app");
    int total = 0;
    for (var shard : description.shards()) {
      total += StoreTesting.readAll(store, "keep", shard.shardId(),
          dev.freshet.sdk.stream.StartingPosition.trimHorizon()).size();
    }
    assertThat(total).isEqualTo(1);
  }

  @Test
  void aSecondOpenOfTheSameFolderIsRefused() {
    assertThatThrownBy(() -> LocalStreamStore.open(StoreConfig.builder(dir).build()))
        .isInstanceOf(ResourceInUseException.class).hasMessageContaining("in use");
  }
}
