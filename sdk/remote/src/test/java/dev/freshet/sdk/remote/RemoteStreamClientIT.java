package dev.freshet.sdk.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.Consumer;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.HashKeyRange;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.ListShardsResult;
import dev.freshet.sdk.stream.ListStreamsResult;
import dev.freshet.sdk.stream.PutRecordResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.ShardFilter;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import dev.freshet.sdk.stream.StreamDescription;
import dev.freshet.sdk.stream.StreamMetrics;
import dev.freshet.sdk.stream.StreamStatus;
import dev.freshet.sdk.stream.SubscribeToShardEvent;
import dev.freshet.sdk.stream.errors.ExpiredIteratorException;
import dev.freshet.sdk.stream.errors.InternalFailureException;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.ResourceInUseException;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import dev.freshet.sdk.stream.errors.ValidationException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remote client against the real server over a real store, opened the way pipelines open it. */
class RemoteStreamClientIT {
  @TempDir Path dir;
  private LocalStreamStore store;
  private KinesisServer server;
  private StreamClients.Lease lease;
  private StreamClient client;

  @BeforeEach
  void start() {
    store = LocalStreamStore.open(StoreConfig.builder(dir).build());
    server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store);
    lease = StreamClients.acquire(server.endpoint());
    client = lease.client();
  }

  @AfterEach
  void stop() {
    lease.close();
    server.close();
    store.close();
  }

  @Test
  void theProviderOpensARemoteClientForHttpEndpoints() {
    assertThat(client).isInstanceOf(RemoteStreamClient.class);
    assertThat(RemoteClientProvider.regionOf(URI.create("http://localhost:1?region=eu-west-1"))).isEqualTo("eu-west-1");
    assertThat(RemoteClientProvider.regionOf(URI.create("http://localhost:1"))).isEqualTo("us-east-1");
    assertThatThrownBy(() -> RemoteClientProvider.regionOf(URI.create("http://localhost:1?regoin=x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("regoin");
  }

  @Test
  void streamsAreCreatedDescribedListedAndDeleted() {
    client.createStream(CreateStreamRequest.provisioned("alpha", 3).withTags(Map.of("team", "data")));
    client.createStream(CreateStreamRequest.provisioned("beta", 1));

    StreamDescription alpha = client.describeStream("alpha");
    assertThat(alpha.streamStatus()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(alpha.shards()).hasSize(3);
    assertThat(alpha.summary().openShardCount()).isEqualTo(3);
    assertThat(client.describeStream(alpha.streamArn()).streamName()).isEqualTo("alpha");
    assertThat(client.listTagsForStream("alpha")).containsEntry("team", "data");

    ListStreamsResult first = client.listStreams(null, 1);
    assertThat(first.streamNames()).containsExactly("alpha");
    assertThat(first.streams().get(0).retentionPeriodHours()).isEqualTo(24);
    assertThat(client.listStreams(first.nextToken(), 10).streamNames()).containsExactly("beta");

    client.increaseStreamRetentionPeriod("beta", 48);
    assertThat(client.describeStreamSummary("beta").retentionPeriodHours()).isEqualTo(48);
    client.deleteStream("beta", false);
    assertThatThrownBy(() -> client.describeStream("beta")).isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("beta");
  }

  @Test
  void recordsArePutAndReadBack() {
    client.createStream(CreateStreamRequest.provisioned("data", 2));
    PutRecordResult one = client.putRecord("data", PutRecordsEntry.of("key", "first"), null);
    List<PutRecordsEntry> batch = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      batch.add(PutRecordsEntry.of("key", "r" + i));
    }
    PutRecordsResult many = client.putRecords("data", batch);
    assertThat(many.failedRecordCount()).isZero();
    assertThat(many.records()).allSatisfy(e -> assertThat(e.shardId()).isEqualTo(one.shardId()));

    String iterator = client.getShardIterator("data", one.shardId(), StartingPosition.trimHorizon());
    GetRecordsResult read = client.getRecords(iterator, 5);
    assertThat(read.records()).extracting(r -> new String(r.data(), StandardCharsets.UTF_8))
        .containsExactly("first", "r0", "r1", "r2", "r3");
    assertThat(read.records().get(0).sequenceNumber()).isEqualTo(one.sequenceNumber());
    GetRecordsResult rest = client.getRecords(read.nextShardIterator(), 100);
    assertThat(rest.records()).hasSize(16);

    String after = client.getShardIterator("data", one.shardId(),
        StartingPosition.afterSequenceNumber(many.records().get(18).sequenceNumber()));
    assertThat(client.getRecords(after, 10).records()).extracting(r -> new String(r.data(), StandardCharsets.UTF_8))
        .containsExactly("r19");
  }

  @Test
  void reshardingAndFilteredPagedShardListings() {
    client.createStream(CreateStreamRequest.provisioned("shards", 2));
    List<Shard> before = client.listShards(ListShardsRequest.of("shards")).shards();
    Shard first = before.get(0);
    BigInteger middle = first.hashKeyRange().startingHashKey().add(first.hashKeyRange().endingHashKey()).shiftRight(1);
    client.splitShard("shards", first.shardId(), middle);
    List<Shard> afterSplit = client.listShards(ListShardsRequest.builder().setStream("shards")
        .setShardFilter(ShardFilter.atLatest()).build()).shards();
    assertThat(afterSplit).hasSize(3).allMatch(Shard::isOpen);
    assertThat(afterSplit).extracting(Shard::shardId).doesNotContain(first.shardId());

    Shard childA = afterSplit.stream().filter(s -> first.shardId().equals(s.parentShardId())).findFirst().orElseThrow();
    Shard childB = afterSplit.stream().filter(s -> first.shardId().equals(s.parentShardId()) && s != childA)
        .findFirst().orElseThrow();
    client.mergeShards("shards", childA.shardId(), childB.shardId());

    List<Shard> all = new ArrayList<>();
    ListShardsResult page = client.listShards(ListShardsRequest.builder().setStream("shards").setMaxResults(2).build());
    all.addAll(page.shards());
    while (page.nextToken() != null) {
      page = client.listShards(ListShardsRequest.builder().setNextToken(page.nextToken()).setMaxResults(2).build());
      all.addAll(page.shards());
    }
    assertThat(all).hasSize(5);
    assertThat(all.stream().filter(Shard::isOpen)).hasSize(2);
    assertThat(all.stream().filter(Shard::isOpen).map(s -> s.hashKeyRange()))
        .anyMatch(r -> r.startingHashKey().signum() == 0)
        .anyMatch(r -> r.endingHashKey().equals(HashKeyRange.MAX_HASH_KEY));
    assertThat(client.listShards(ListShardsRequest.builder().setStream("shards")
        .setShardFilter(ShardFilter.afterShardId(all.get(2).shardId())).build()).shards())
        .extracting(Shard::shardId).containsExactlyElementsOf(all.subList(3, 5).stream().map(Shard::shardId).toList());
    assertThat(client.updateShardCount("shards", 4)).isEqualTo(2);
  }

  @Test
  void errorsArriveAsTheStreamApisTypes() {
    assertThatThrownBy(() -> client.putRecord("missing", PutRecordsEntry.of("k", "v"), null))
        .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("missing");
    client.createStream(CreateStreamRequest.provisioned("errors", 1));
    assertThatThrownBy(() -> client.createStream(CreateStreamRequest.provisioned("errors", 1)))
        .isInstanceOf(ResourceInUseException.class);
    assertThatThrownBy(() -> client.decreaseStreamRetentionPeriod("errors", 48))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> client.putRecord("errors", PutRecordsEntry.of("", "v"), null))
        .isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> client.getRecords("not-an-iterator", 10))
        .isInstanceOfAny(InvalidArgumentException.class, ExpiredIteratorException.class);
    assertThatThrownBy(() -> client.startStreamEncryption("errors", "no-such-key"))
        .satisfies(e -> assertThat(((dev.freshet.sdk.stream.errors.StreamException) e).errorCode())
            .isIn("KMSNotFoundException", "InvalidArgumentException", "ResourceNotFoundException"));
  }

  @Test
  void anUnreachableEndpointFailsRetryably() {
    KinesisServer doomed = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store);
    int port = doomed.endpoint().getPort();
    doomed.close();
    try (StreamClient gone = new RemoteClientProvider().open(URI.create("http://127.0.0.1:" + port))) {
      assertThatThrownBy(() -> gone.describeStream("x"))
          .isInstanceOf(InternalFailureException.class)
          .satisfies(e -> assertThat(((InternalFailureException) e).isRetryable()).isTrue());
    }
  }

  @Test
  void consumersAreRegisteredListedAndDeregistered() {
    client.createStream(CreateStreamRequest.provisioned("fan", 1));
    Consumer consumer = client.registerStreamConsumer("fan", "reader");
    assertThat(consumer.streamArn()).isEqualTo(client.describeStreamSummary("fan").streamArn());
    assertThat(client.listStreamConsumers("fan")).extracting(Consumer::consumerName).containsExactly("reader");
    assertThat(client.describeStreamConsumer(consumer.consumerArn()).consumerName()).isEqualTo("reader");
    client.deregisterStreamConsumer(consumer.consumerArn());
    assertThat(client.listStreamConsumers("fan")).isEmpty();
  }

  @Test
  void subscribeToShardPushesRecordsAsDemanded() throws Exception {
    client.createStream(CreateStreamRequest.provisioned("push", 1));
    String shard = client.listShards(ListShardsRequest.of("push")).shards().get(0).shardId();
    Consumer consumer = client.registerStreamConsumer("push", "pusher");
    List<Record> received = new CopyOnWriteArrayList<>();
    CompletableFuture<Flow.Subscription> subscribed = new CompletableFuture<>();
    client.subscribeToShard(consumer.consumerArn(), shard, StartingPosition.trimHorizon(),
        new Flow.Subscriber<SubscribeToShardEvent>() {
          @Override
          public void onSubscribe(Flow.Subscription subscription) {
            subscribed.complete(subscription);
            subscription.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(SubscribeToShardEvent event) {
            received.addAll(event.records());
          }

          @Override
          public void onError(Throwable throwable) {}

          @Override
          public void onComplete() {}
        });
    subscribed.get(10, TimeUnit.SECONDS);
    for (int i = 0; i < 10; i++) {
      client.putRecord("push", PutRecordsEntry.of("k", "pushed " + i), null);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (received.size() < 10 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(received).extracting(r -> new String(r.data(), StandardCharsets.UTF_8))
        .containsExactly("pushed 0", "pushed 1", "pushed 2", "pushed 3", "pushed 4",
            "pushed 5", "pushed 6", "pushed 7", "pushed 8", "pushed 9");
    subscribed.get().cancel();
  }

  @Test
  void subscribingWithAnUnknownConsumerThrowsFromTheCall() {
    client.createStream(CreateStreamRequest.provisioned("nosub", 1));
    String arn = client.describeStreamSummary("nosub").streamArn() + "/consumer/nobody:1";
    assertThatThrownBy(() -> client.subscribeToShard(arn, "shardId-000000000000", StartingPosition.latest(),
        new Flow.Subscriber<SubscribeToShardEvent>() {
          @Override public void onSubscribe(Flow.Subscription s) {}
          @Override public void onNext(SubscribeToShardEvent e) {}
          @Override public void onError(Throwable t) {}
          @Override public void onComplete() {}
        })).isInstanceOf(dev.freshet.sdk.stream.errors.StreamException.class);
  }

  @Test
  void metricsAreReadFromTheServer() {
    client.createStream(CreateStreamRequest.provisioned("counted", 2));
    PutRecordResult put = client.putRecord("counted", PutRecordsEntry.of("k", "12345"), null);
    client.putRecord("counted", PutRecordsEntry.of("k", "678"), null);
    client.getRecords(client.getShardIterator("counted", put.shardId(), StartingPosition.trimHorizon()), 10);

    StreamMetrics metrics = client.metrics("counted");
    assertThat(metrics.streamName()).isEqualTo("counted");
    assertThat(metrics.shards()).hasSize(2);
    assertThat(metrics.shards().get(put.shardId()).incomingRecords()).isEqualTo(2);
    assertThat(metrics.incomingRecords()).isEqualTo(2);
    assertThat(metrics.outgoingRecords()).isEqualTo(2);
    assertThat(metrics).isEqualTo(store.metrics("counted"));
    assertThatThrownBy(() -> client.metrics("nothing")).isInstanceOf(ResourceNotFoundException.class);
  }
}
