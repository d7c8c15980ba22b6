package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An extension that streams request bodies ({@link ServiceExtension#streamsRequestBody}) reads
 * them as they arrive, beyond the aggregation limit, and answers while the body is still coming.
 */
class StreamedRequestBodyIT {
  @TempDir static Path dir;
  static LocalStreamStore store;
  static KinesisServer server;

  /**
   * POST /upload: answers at once with a chunked response, and one line per 64 KiB read
   * ("read N"), then "sha256 HEX" at the end of the body. POST /small is aggregated as usual.
   */
  static final class Upload implements ServiceExtension {
    @Override
    public String signingName() {
      return "upload";
    }

    @Override
    public boolean accepts(HttpRequest request) {
      return request.uri().startsWith("/upload") || request.uri().startsWith("/small");
    }

    @Override
    public boolean streamsRequestBody(HttpRequest request) {
      return request.uri().startsWith("/upload");
    }

    @Override
    public void serve(HttpExchange exchange) throws Exception {
      if (!exchange.isBodyStreamed()) {
        exchange.respond(200, "text/plain", ("small " + exchange.body().readAllBytes().length)
            .getBytes(StandardCharsets.UTF_8));
        return;
      }
      DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
      exchange.context().writeAndFlush(head);
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      InputStream body = exchange.body();
      byte[] buffer = new byte[64 << 10];
      long total = 0;
      int n;
      while ((n = body.readNBytes(buffer, 0, buffer.length)) > 0) {
        sha.update(buffer, 0, n);
        total += n;
        line(exchange, "read " + total);
      }
      line(exchange, "sha256 " + HexFormat.of().formatHex(sha.digest()));
      exchange.context().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).sync();
    }

    private static void line(HttpExchange exchange, String text) {
      exchange.context().writeAndFlush(new DefaultHttpContent(
          Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8)));
    }
  }

  @BeforeAll
  static void start() {
    store = LocalStreamStore.open(StoreConfig.builder(dir).build());
    server = KinesisServer.start(ServerConfig.builder().setPort(0).setMaxRequestBytes(64 * 1024).build(),
        store, List.of(new Upload()));
  }

  @AfterAll
  static void stop() {
    server.close();
    store.close();
  }

  @Test
  void bodyFarOverTheAggregationLimitStreamsThrough() throws Exception {
    byte[] data = new byte[3 << 20]; // 48 times the server's 64 KiB limit
    new Random(7).nextBytes(data);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> response = http.send(java.net.http.HttpRequest.newBuilder(server.endpoint().resolve("/upload"))
        .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(data))).build(), BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    assertThat(response.body()).contains("read " + data.length + "\n").endsWith("sha256 " + expected + "\n");

    // The same connection goes on with aggregated requests.
    HttpResponse<String> small = http.send(java.net.http.HttpRequest.newBuilder(server.endpoint().resolve("/small"))
        .POST(BodyPublishers.ofString("12345")).build(), BodyHandlers.ofString());
    assertThat(small.body()).isEqualTo("small 5");
  }

  @Test
  void bodyStreamsOverHttp2Too() throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    // The first request upgrades the connection to cleartext HTTP/2 (h2c); the next are streams.
    HttpResponse<String> small = http.send(java.net.http.HttpRequest.newBuilder(server.endpoint().resolve("/small"))
        .POST(BodyPublishers.ofString("123")).build(), BodyHandlers.ofString());
    assertThat(small.body()).isEqualTo("small 3");
    byte[] data = new byte[1 << 20]; // 16 times the server's 64 KiB limit
    new Random(11).nextBytes(data);
    HttpResponse<String> response = http.send(java.net.http.HttpRequest.newBuilder(server.endpoint().resolve("/upload"))
        .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(data))).build(), BodyHandlers.ofString());
    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(response.statusCode()).isEqualTo(200);
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    assertThat(response.body()).contains("read " + data.length + "\n").endsWith("sha256 " + expected + "\n");
  }

  @Test
  void answerArrivesWhileTheBodyIsStillComing() throws Exception {
    try (Socket socket = new Socket(server.address().getAddress(), server.address().getPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      out.write(("POST /upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[64 << 10];
      out.write(chunk(chunk));
      out.flush();
      assertThat(in.readLine()).startsWith("HTTP/1.1 200");
      // Skip the response headers, then the first chunk's size line: its text says what was read.
      while (!in.readLine().isEmpty()) {
        // headers
      }
      in.readLine();
      assertThat(in.readLine()).as("answered before the body ended").isEqualTo("read 65536");
      out.write(chunk(chunk));
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      in.readLine(); // empty line closing the first chunk
      in.readLine();
      assertThat(in.readLine()).isEqualTo("read 131072");
    }
  }

  private static byte[] chunk(byte[] data) {
    byte[] size = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[size.length + data.length + 2];
    System.arraycopy(size, 0, all, 0, size.length);
    System.arraycopy(data, 0, all, size.length, data.length);
    all[all.length - 2] = '\r';
    all[all.length - 1] = '\n';
    return all;
  }
}
