package dev.freshet.sdk.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.PutRecordResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The remote client's idempotent writes against the real server over a real store: the producer
 * members cross the wire in CBOR and in JSON (the body the interceptor writes), a repeat is answered
 * with the original's sequence number and not stored, partition keys with characters JSON must
 * escape arrive intact, and plain entries keep the service's behaviour.
 */
class RemoteIdempotentPutIT {
  @TempDir Path dir;
  private LocalStreamStore store;
  private KinesisServer server;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void start() {
    store = LocalStreamStore.open(StoreConfig.builder(dir).build());
    server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store);
    store.createStream(CreateStreamRequest.provisioned("s", 2));
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    server.close();
    store.close();
    System.clearProperty("aws.cborEnabled");
  }

  private StreamClient client(boolean cbor, boolean withInterceptor) {
    System.setProperty("aws.cborEnabled", Boolean.toString(cbor));
    ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder();
    if (withInterceptor) {
      override.addExecutionInterceptor(RemoteStreamClient.producerFieldsInterceptor());
    }
    KinesisClient sync = KinesisClient.builder()
        .endpointOverride(server.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("k", "s")))
        .httpClient(ApacheHttpClient.create())
        .overrideConfiguration(override.build())
        .build();
    KinesisAsyncClient async = KinesisAsyncClient.builder()
        .endpointOverride(server.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("k", "s")))
        .build();
    RemoteStreamClient client = new RemoteStreamClient(server.endpoint(), sync, async);
    open.add(client);
    return client;
  }

  private List<Record> stored() {
    List<Record> records = new ArrayList<>();
    for (Shard shard : store.describeStream("s").shards()) {
      String iterator = store.getShardIterator("s", shard.shardId(), StartingPosition.trimHorizon());
      GetRecordsResult page = store.getRecords(iterator, 10_000);
      records.addAll(page.records());
    }
    return records;
  }

  private static PutRecordsEntry idem(String key, String data, String producer, long sequence) {
    return PutRecordsEntry.of(key, data.getBytes(StandardCharsets.UTF_8))
        .withProducer(producer, BigInteger.valueOf(sequence));
  }

  @ParameterizedTest(name = "cbor={0}")
  @ValueSource(booleans = {true, false})
  void aRepeatedBatchIsStoredOnceAndAnsweredWithTheOriginals(boolean cbor) {
    StreamClient client = client(cbor, true);
    List<PutRecordsEntry> batch = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      // Keys JSON must escape, and a producer id outside ASCII.
      batch.add(idem("k\"\\\t" + i + "é", "v" + i, "relay/shard-ü", i));
    }
    batch.add(PutRecordsEntry.of("plain", "p".getBytes(StandardCharsets.UTF_8)));
    // A sequence beyond a long: producer sequences derived from 30-digit sequence numbers.
    BigInteger big = new BigInteger("49000000010000000000000000004200000007");
    batch.add(PutRecordsEntry.of("big", "b".getBytes(StandardCharsets.UTF_8)).withProducer("p2", big));

    PutRecordsResult first = client.putRecords("s", batch);
    PutRecordsResult again = client.putRecords("s", batch);

    assertThat(first.failedRecordCount()).isZero();
    assertThat(again.failedRecordCount()).isZero();
    for (int i = 0; i < batch.size(); i++) {
      if (i == 300) {
        continue;
      }
      assertThat(again.records().get(i).sequenceNumber()).as("entry %s", i)
          .isEqualTo(first.records().get(i).sequenceNumber());
      assertThat(again.records().get(i).shardId()).isEqualTo(first.records().get(i).shardId());
    }
    assertThat(again.records().get(300).sequenceNumber()).isNotEqualTo(first.records().get(300).sequenceNumber());
    List<Record> stored = stored();
    assertThat(stored).hasSize(303);
    assertThat(stored).extracting(Record::partitionKey).contains("k\"\\\t7é", "big");
  }

  @ParameterizedTest(name = "cbor={0}")
  @ValueSource(booleans = {true, false})
  void aRepeatedPutRecordReturnsTheOriginal(boolean cbor) {
    StreamClient client = client(cbor, true);

    PutRecordResult first = client.putRecord("s", idem("k", "v", "p", 1), null);
    PutRecordResult again = client.putRecord("s", idem("k", "v", "p", 1), first.sequenceNumber());
    PutRecordResult plainOne = client.putRecord("s", PutRecordsEntry.of("k", "v".getBytes(StandardCharsets.UTF_8)), null);
    PutRecordResult plainTwo = client.putRecord("s", PutRecordsEntry.of("k", "v".getBytes(StandardCharsets.UTF_8)), null);

    assertThat(again.sequenceNumber()).isEqualTo(first.sequenceNumber());
    assertThat(plainTwo.sequenceNumber()).isNotEqualTo(plainOne.sequenceNumber());
    assertThat(stored()).hasSize(3);
  }

  @Test
  void aClientWhoseSdkClientLacksTheInterceptorRefusesProducersInsteadOfDroppingThem() {
    StreamClient client = client(true, false);

    assertThatThrownBy(() -> client.putRecords("s", List.of(idem("k", "v", "p", 1))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("producerFieldsInterceptor");
    assertThat(client.putRecords("s", List.of(PutRecordsEntry.of("k", "v".getBytes(StandardCharsets.UTF_8))))
        .failedRecordCount()).isZero();
    assertThat(stored()).hasSize(1);
  }
}
