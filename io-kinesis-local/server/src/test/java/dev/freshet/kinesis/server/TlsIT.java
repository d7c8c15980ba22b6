package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.ProtocolNegotiation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/** TLS with a generated or a given certificate; HTTP/2 or HTTP/1.1 chosen by ALPN. */
class TlsIT {
  @TempDir Path dir;
  private LocalStreamStore store;
  private KinesisServer server;

  private void start(ServerTls tls, ServerCredentials keys) {
    store = LocalStreamStore.open(StoreConfig.builder(dir.resolve("data")).build());
    server = KinesisServer.start(ServerConfig.builder().setPort(0).setTls(tls).setCredentials(keys).build(), store);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
      store.close();
    }
  }

  private TrustManager[] trustServer() throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("freshet", server.certificates().get(0));
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trusted);
    return factory.getTrustManagers();
  }

  private SSLContext clientContext() throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trustServer(), null);
    return context;
  }

  @Test
  void selfSignedServesHttp11AndHttp2ByAlpn() throws Exception {
    start(ServerTls.selfSigned(), ServerCredentials.of(Map.of("AKIDTLS", "tls-secret")));
    assertThat(server.endpoint().getScheme()).isEqualTo("https");
    X509Certificate certificate = server.certificates().get(0);
    assertThat(certificate.getSubjectAlternativeNames()).extracting(n -> (Object) n.get(1))
        .contains((Object) "localhost", "127.0.0.1");

    try (SSLSocket socket = (SSLSocket) clientContext().getSocketFactory()
        .createSocket(server.address().getAddress(), server.address().getPort())) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      assertThat(socket.getApplicationProtocol()).isEqualTo("h2");
    }
    HttpClient http2 = HttpClient.newBuilder().sslContext(clientContext()).version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> health = http2.send(HttpRequest.newBuilder(URI.create(server.endpoint() + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(health.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(health.statusCode()).isEqualTo(200);

    var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTLS", "tls-secret"));
    TrustManager[] trust = trustServer();
    try (KinesisClient sync = KinesisClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials)
        .httpClient(ApacheHttpClient.builder().tlsTrustManagersProvider(() -> trust).build()).build()) {
      sync.createStream(b -> b.streamName("tls").shardCount(1));
      sync.putRecord(b -> b.streamName("tls").partitionKey("k").data(SdkBytes.fromUtf8String("over http/1.1")));
    }
    try (KinesisAsyncClient async = KinesisAsyncClient.builder().endpointOverride(server.endpoint())
        .region(Region.US_EAST_1).credentialsProvider(credentials)
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP2)
            .protocolNegotiation(ProtocolNegotiation.ALPN).tlsTrustManagersProvider(() -> trust))
        .build()) {
      var put = async.putRecord(b -> b.streamName("tls").partitionKey("k")
          .data(SdkBytes.fromUtf8String("over h2"))).get();
      String iterator = async.getShardIterator(b -> b.streamName("tls").shardId(put.shardId())
          .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).get().shardIterator();
      assertThat(async.getRecords(b -> b.shardIterator(iterator)).get().records())
          .extracting(r -> r.data().asUtf8String()).containsExactly("over http/1.1", "over h2");
    }
  }

  @Test
  void givenKeyStoreServesClientsWithoutAlpnOverHttp11() throws Exception {
    Path file = dir.resolve("server.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", file.toString(), "-storepass", "changeit").redirectErrorStream(true).start();
    assertThat(keytool.waitFor()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
    start(ServerTls.keyStore(file, "changeit"), ServerCredentials.none());
    assertThat(server.certificates().get(0).getSubjectX500Principal().getName()).isEqualTo("CN=localhost");

    try (SSLSocket socket = (SSLSocket) clientContext().getSocketFactory()
        .createSocket(server.address().getAddress(), server.address().getPort())) {
      socket.startHandshake();
      assertThat(socket.getApplicationProtocol()).isEmpty();
      OutputStream out = socket.getOutputStream();
      out.write("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(
          java.nio.charset.StandardCharsets.US_ASCII));
      out.flush();
      String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 200").contains("\"status\":\"ok\"");
    }
  }
}
