package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * A request body far over the server's limit (60 MB against the default 10 MiB), sent whole as a
 * client does: the client gets the service's error answer (HTTP 413, ValidationException in the
 * service's JSON shape) instead of a connection reset, and the stream stores nothing.
 */
class OversizedRequestIT {
  private static final int BODY_BYTES = 60_000_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static LocalStreamStore store;
  private static KinesisServer server;

  @BeforeAll
  static void start() {
    store = LocalStreamStore.open(StoreConfig.builder(dir).build());
    store.createStream(CreateStreamRequest.provisioned("big", 1));
    server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store);
  }

  @AfterAll
  static void stop() {
    server.close();
    store.close();
  }

  @Test
  void aClientSendingTheWholeBodyReadsThe413() throws Exception {
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.endpoint().getPort());
    try (RawHttpConnection connection = new RawHttpConnection(address, 30_000)) {
      byte[] head = RawHttpConnection.head("POST", Map.of(
          "Host", "localhost",
          "Content-Type", "application/x-amz-json-1.1",
          "X-Amz-Target", "Kinesis_20131202.PutRecords",
          "Content-Length", Integer.toString(BODY_BYTES)));
      // The body goes out on another thread, as a client that does not wait for an early answer.
      CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
        try {
          connection.send(head);
          byte[] chunk = new byte[1 << 20];
          Arrays.fill(chunk, (byte) 'x');
          for (int written = 0; written < BODY_BYTES; written += chunk.length) {
            connection.send(Arrays.copyOf(chunk, Math.min(chunk.length, BODY_BYTES - written)));
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      RawHttpConnection.Response response = connection.read();
      assertThat(response.status()).isEqualTo(413);
      assertThat(response.closes()).as("Connection: close").isTrue();
      JsonNode error = JSON.readTree(response.body());
      assertThat(error.path("__type").asText()).isEqualTo("ValidationException");
      assertThat(error.path("message").asText())
          .contains(Integer.toString(BODY_BYTES)).contains("exceeds the limit");
      sent.join(); // the server drained the rest of the body rather than resetting the connection
      assertThat(connection.closedByServer()).isTrue();
    }
    assertThat(store.metrics("big").incomingRecords()).isZero();
  }

  @Test
  void theAwsSdkGetsTheServiceErrorForA60MegabytePutRecords() {
    try (KinesisClient kinesis = KinesisClient.builder()
        .endpointOverride(server.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")))
        .httpClient(ApacheHttpClient.create())
        .build()) {
      List<PutRecordsRequestEntry> entries = new ArrayList<>();
      SdkBytes megabyte = SdkBytes.fromByteArray(new byte[1 << 20]);
      for (int i = 0; i < 60; i++) {
        entries.add(PutRecordsRequestEntry.builder().partitionKey("k" + i).data(megabyte).build());
      }
      assertThatThrownBy(() -> kinesis.putRecords(b -> b.streamName("big").records(entries)))
          .isInstanceOfSatisfying(KinesisException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(413);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
            assertThat(e.awsErrorDetails().errorMessage()).contains("exceeds the limit");
          });
    }
    assertThat(store.metrics("big").incomingRecords()).isZero();
  }
}
