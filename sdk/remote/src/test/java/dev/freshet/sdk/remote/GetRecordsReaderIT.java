package dev.freshet.sdk.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;

/**
 * GetRecords answers read by {@link GetRecordsReader} (Freshet's binary layout, and CBOR for the
 * answer that ends a shard) against the same answers read by the AWS SDK's model in CBOR, from a
 * real server over a real store: records (binary data, non-ASCII keys), the next iterator, the
 * lag, and the child shards at the end of a split shard.
 */
class GetRecordsReaderIT {
  @TempDir static Path dir;
  private static LocalStreamStore store;
  private static KinesisServer server;
  private static RemoteStreamClient fast;
  private static RemoteStreamClient plain;

  @BeforeAll
  static void start() {
    store = LocalStreamStore.open(StoreConfig.builder(dir).build());
    server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store);
    fast = (RemoteStreamClient) new RemoteClientProvider().open(server.endpoint());
    plain = new RemoteStreamClient(server.endpoint(), sync(false), async());
  }

  @AfterAll
  static void stop() {
    fast.close();
    plain.close();
    server.close();
    store.close();
  }

  private static KinesisClient sync(boolean withReader) {
    ClientOverrideConfiguration.Builder config = ClientOverrideConfiguration.builder()
        .retryStrategy(AwsRetryStrategy.doNotRetry());
    if (withReader) {
      config.addExecutionInterceptor(RemoteStreamClient.getRecordsInterceptor());
    }
    return KinesisClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("freshet", "freshet")))
        .httpClient(ApacheHttpClient.builder().build())
        .overrideConfiguration(config.build())
        .build();
  }

  private static KinesisAsyncClient async() {
    return KinesisAsyncClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("freshet", "freshet")))
        .httpClient(NettyNioAsyncHttpClient.builder().build())
        .build();
  }

  @Test
  void readsWhatTheSdkReadsToTheEndOfASplitShard() {
    fast.createStream(CreateStreamRequest.provisioned("reader", 1));
    Shard shard = fast.listShards(ListShardsRequest.of("reader")).shards().get(0);
    List<PutRecordsEntry> entries = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      byte[] data = new byte[i % 70];
      for (int b = 0; b < data.length; b++) {
        data[b] = (byte) (i * 31 + b * 7);
      }
      entries.add(PutRecordsEntry.of(i % 3 == 0 ? "schlüssel-" + i : "k" + i, data));
    }
    assertThat(fast.putRecords("reader", entries).failedRecordCount()).isZero();
    BigInteger middle = shard.hashKeyRange().startingHashKey().add(shard.hashKeyRange().endingHashKey()).shiftRight(1);
    fast.splitShard("reader", shard.shardId(), middle);

    String fastIterator = fast.getShardIterator("reader", shard.shardId(), StartingPosition.trimHorizon());
    String plainIterator = plain.getShardIterator("reader", shard.shardId(), StartingPosition.trimHorizon());
    int read = 0;
    int calls = 0;
    while (fastIterator != null) {
      GetRecordsResult viaReader = fast.getRecords(fastIterator, 128);
      GetRecordsResult viaSdk = plain.getRecords(plainIterator, 128);
      assertThat(viaReader.records()).isEqualTo(viaSdk.records());
      assertThat(viaReader.millisBehindLatest()).isEqualTo(viaSdk.millisBehindLatest());
      assertThat(viaReader.childShards()).isEqualTo(viaSdk.childShards());
      assertThat(viaReader.nextShardIterator() == null).isEqualTo(viaSdk.nextShardIterator() == null);
      read += viaReader.records().size();
      fastIterator = viaReader.nextShardIterator();
      plainIterator = viaSdk.nextShardIterator();
      assertThat(++calls).as("calls to read a closed shard of 300 records").isLessThan(20);
      if (fastIterator == null) {
        assertThat(viaReader.childShards()).hasSize(2)
            .allSatisfy(child -> assertThat(child.parentShards()).containsExactly(shard.shardId()));
      }
    }
    assertThat(read).isEqualTo(300);
  }

  /** A new one-shard stream holding the record "one"; an iterator at its start. */
  private static String oneRecord(String stream) {
    fast.createStream(CreateStreamRequest.provisioned(stream, 1));
    String shardId = fast.listShards(ListShardsRequest.of(stream)).shards().get(0).shardId();
    fast.putRecord(stream, PutRecordsEntry.of("k", "one".getBytes(StandardCharsets.UTF_8)), null);
    return fast.getShardIterator(stream, shardId, StartingPosition.trimHorizon());
  }

  @Test
  void theSdkParsesNothingOnceTheReaderHasReadTheAnswer() {
    String iterator = oneRecord("bypass");
    try (KinesisClient sdk = sync(true)) {
      GetRecordsReader.Answer answer = new GetRecordsReader.Answer();
      GetRecordsResponse response = sdk.getRecords(b -> b.shardIterator(iterator)
          .overrideConfiguration(o -> o.putExecutionAttribute(GetRecordsReader.ANSWER, answer)));
      assertThat(response.hasRecords()).isFalse();
      assertThat(answer.result()).isNotNull();
      assertThat(answer.binary()).as("a freshet server answers in its binary layout").isTrue();
      assertThat(answer.result().records()).extracting(r -> new String(r.data(), StandardCharsets.UTF_8))
          .containsExactly("one");
      // A call without the attribute is the SDK's, as before.
      assertThat(sdk.getRecords(b -> b.shardIterator(iterator)).records()).hasSize(1);
    }
  }

  @Test
  void theBinaryAnswerAlsoServesAnSdkSpeakingJson() {
    String iterator = oneRecord("json");
    String before = System.getProperty("aws.cborEnabled");
    System.setProperty("aws.cborEnabled", "false");
    try (KinesisClient sdk = sync(true)) {
      GetRecordsReader.Answer answer = new GetRecordsReader.Answer();
      GetRecordsResponse response = sdk.getRecords(b -> b.shardIterator(iterator)
          .overrideConfiguration(o -> o.putExecutionAttribute(GetRecordsReader.ANSWER, answer)));
      assertThat(response.hasRecords()).isFalse();
      assertThat(answer.binary()).isTrue();
      assertThat(answer.result().records()).extracting(r -> new String(r.data(), StandardCharsets.UTF_8))
          .containsExactly("one");
      // Without the attribute, this SDK client reads the server's JSON answer itself.
      assertThat(sdk.getRecords(b -> b.shardIterator(iterator)).records()).hasSize(1);
    } finally {
      if (before == null) {
        System.clearProperty("aws.cborEnabled");
      } else {
        System.setProperty("aws.cborEnabled", before);
      }
    }
  }

  @Test
  void errorAnswersStillArriveAsTheStreamApisTypes() {
    assertThatThrownBy(() -> fast.getRecords("not-an-iterator", 10)).isInstanceOf(InvalidArgumentException.class);
  }
}
