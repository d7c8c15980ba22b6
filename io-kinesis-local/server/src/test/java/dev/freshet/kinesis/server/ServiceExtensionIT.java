package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpRequest;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/** A {@link ServiceExtension} shares the port with the Kinesis API: routing, errors, closing. */
class ServiceExtensionIT {
  @TempDir Path dir;

  /** Echoes POST /echo bodies in upper case, and fails on POST /fail. */
  static final class Echo implements ServiceExtension {
    final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public String signingName() {
      return "echo";
    }

    @Override
    public boolean accepts(HttpRequest request) {
      String path = request.uri();
      return path.startsWith("/echo") || path.startsWith("/fail");
    }

    @Override
    public void serve(HttpExchange exchange) {
      if (exchange.path().equals("/fail")) {
        throw new IllegalStateException("asked to fail");
      }
      String body = ByteBufUtil.getBytes(exchange.request().content()).length == 0 ? ""
          : exchange.request().content().toString(StandardCharsets.UTF_8);
      exchange.respond(200, "text/plain", body.toUpperCase().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  @Test
  void extensionAnswersItsRequestsAndKinesisStillAnswersTheRest() throws Exception {
    Echo echo = new Echo();
    try (LocalStreamStore store = LocalStreamStore.open(StoreConfig.builder(dir).build())) {
      try (KinesisServer server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store,
          List.of(echo))) {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> echoed = http.send(java.net.http.HttpRequest.newBuilder(
            server.endpoint().resolve("/echo")).POST(BodyPublishers.ofString("hello")).build(),
            BodyHandlers.ofString());
        assertThat(echoed.statusCode()).isEqualTo(200);
        assertThat(echoed.body()).isEqualTo("HELLO");

        HttpResponse<String> failed = http.send(java.net.http.HttpRequest.newBuilder(
            server.endpoint().resolve("/fail")).POST(BodyPublishers.ofString("x")).build(),
            BodyHandlers.ofString());
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.body()).contains("InternalFailure").contains("asked to fail");

        try (KinesisClient kinesis = KinesisClient.builder()
            .endpointOverride(server.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")))
            .httpClient(ApacheHttpClient.create())
            .build()) {
          kinesis.createStream(b -> b.streamName("beside-echo").shardCount(1));
          assertThat(kinesis.listStreams().streamNames()).contains("beside-echo");
        }
        assertThat(echo.closed).isFalse();
      }
      assertThat(echo.closed).as("the server closes its extensions").isTrue();
    }
  }
}
