package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/** SigV4 as the AWS SDK v2 signs it: right keys pass, wrong ones get the service's errors. */
class SignatureIT {
  @TempDir Path dir;
  private LocalStreamStore store;
  private KinesisServer server;

  @BeforeEach
  void start() {
    store = LocalStreamStore.open(StoreConfig.builder(dir).build());
    server = KinesisServer.start(ServerConfig.builder().setPort(0)
        .setCredentials(ServerCredentials.of(Map.of("AKIDLOCAL", "local-secret", "AKIDOTHER", "other")))
        .build(), store);
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
    System.clearProperty("aws.cborEnabled");
  }

  private KinesisClient sync(String key, String secret) {
    return KinesisClient.builder()
        .endpointOverride(server.endpoint())
        .region(Region.EU_WEST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret)))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .httpClient(ApacheHttpClient.create())
        .build();
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void syncClientWithTheRightKeysPutsAndGets(boolean cbor) {
    System.setProperty("aws.cborEnabled", Boolean.toString(cbor));
    try (KinesisClient kinesis = sync("AKIDLOCAL", "local-secret")) {
      kinesis.createStream(b -> b.streamName("signed").shardCount(1));
      var put = kinesis.putRecord(b -> b.streamName("signed").partitionKey("k / é")
          .data(SdkBytes.fromUtf8String("hello")));
      String iterator = kinesis.getShardIterator(b -> b.streamName("signed").shardId(put.shardId())
          .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
      assertThat(kinesis.getRecords(b -> b.shardIterator(iterator)).records())
          .extracting(r -> r.data().asUtf8String()).containsExactly("hello");
    }
  }

  @Test
  void asyncHttp2ClientWithTheRightKeysPutsAndGets() throws Exception {
    try (KinesisAsyncClient kinesis = KinesisAsyncClient.builder()
        .endpointOverride(server.endpoint())
        .region(Region.EU_WEST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDOTHER", "other")))
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP2))
        .build()) {
      kinesis.createStream(b -> b.streamName("async").shardCount(1)).get();
      var put = kinesis.putRecord(b -> b.streamName("async").partitionKey("k")
          .data(SdkBytes.fromUtf8String("over h2"))).get();
      String iterator = kinesis.getShardIterator(b -> b.streamName("async").shardId(put.shardId())
          .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).get().shardIterator();
      assertThat(kinesis.getRecords(b -> b.shardIterator(iterator)).get().records())
          .extracting(r -> r.data().asUtf8String()).containsExactly("over h2");
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void wrongSecretIsAnInvalidSignature(boolean cbor) {
    System.setProperty("aws.cborEnabled", Boolean.toString(cbor));
    try (KinesisClient kinesis = sync("AKIDLOCAL", "not-the-secret")) {
      assertThatThrownBy(() -> kinesis.listStreams())
          .isInstanceOfSatisfying(KinesisException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(400);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
          })
          .hasMessageContaining("The request signature we calculated does not match the signature you provided");
    }
  }

  @Test
  void unknownKeyIsAnUnrecognizedClient() {
    try (KinesisClient kinesis = sync("AKIDUNKNOWN", "local-secret")) {
      assertThatThrownBy(() -> kinesis.listStreams())
          .isInstanceOfSatisfying(KinesisException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(400);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
          })
          .hasMessageContaining("The security token included in the request is invalid.");
    }
  }

  @Test
  void unsignedRequestIsMissingAuthenticationAndHealthStaysOpen() throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.endpoint())
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("X-Amz-Target", "Kinesis_20131202.ListStreams")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode error = new ObjectMapper().readTree(response.body());
    assertThat(error.get("__type").asText()).isEqualTo("MissingAuthenticationTokenException");
    assertThat(error.get("message").asText()).isEqualTo("Missing Authentication Token");
    assertThat(store.listStreams(null, 10).streamNames()).isEmpty();

    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(server.endpoint() + "/health")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
  }
}
