package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

class ServerSmokeIT {
  @TempDir Path dir;
  private LocalStreamStore store;
  private KinesisServer server;

  @BeforeEach
  void start() {
    store = LocalStreamStore.open(StoreConfig.builder(dir).build());
    server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store);
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
    System.clearProperty("aws.cborEnabled");
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void putAndGetThroughTheAwsSdk(boolean cbor) {
    System.setProperty("aws.cborEnabled", Boolean.toString(cbor));
    try (KinesisClient kinesis = KinesisClient.builder()
        .endpointOverride(server.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")))
        .httpClient(ApacheHttpClient.create())
        .build()) {
      kinesis.createStream(b -> b.streamName("smoke").shardCount(2));
      var put = kinesis.putRecord(b -> b.streamName("smoke").partitionKey("k")
          .data(SdkBytes.fromUtf8String("hello")));
      String iterator = kinesis.getShardIterator(b -> b.streamName("smoke").shardId(put.shardId())
          .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
      GetRecordsResponse records = kinesis.getRecords(b -> b.shardIterator(iterator));
      assertThat(records.records()).hasSize(1);
      assertThat(records.records().get(0).data().asUtf8String()).isEqualTo("hello");
      assertThat(records.records().get(0).sequenceNumber()).isEqualTo(put.sequenceNumber());
      assertThat(records.records().get(0).approximateArrivalTimestamp())
          .isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
      assertThat(kinesis.describeStreamSummary(b -> b.streamName("smoke")).streamDescriptionSummary()
          .streamCreationTimestamp()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
      assertThatThrownBy(() -> kinesis.describeStream(b -> b.streamName("missing")))
          .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("missing");
    }
  }
}
