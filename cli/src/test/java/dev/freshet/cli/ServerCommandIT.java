package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * {@code freshet server} as users run it: a separate JVM, driven by the AWS SDK v2, stopped with
 * SIGTERM, its data folder then read back in-process.
 */
class ServerCommandIT {
  private static final String READY = "freshet server listening on ";

  @TempDir Path dataDir;
  @TempDir Path otherDataDir;
  @TempDir Path files;
  private final List<ServerProcess> started = new ArrayList<>();

  @AfterEach
  void killLeftovers() throws InterruptedException {
    for (ServerProcess server : started) {
      if (server.process.isAlive()) {
        server.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void everyAcknowledgedRecordIsInTheStoreAfterSigterm() throws Exception {
    ServerProcess server = start("--durability", "fsync", "--region", "eu-west-1", "--account", "123456789012");
    assertThat(server.awaitReady()).isTrue();
    assertThat(server.out).first().asString()
        .startsWith(READY + "http://127.0.0.1:")
        .endsWith(" (data folder " + dataDir.toAbsolutePath().normalize() + ")");

    Set<String> acknowledged = new HashSet<>();
    try (KinesisClient kinesis = client(server.endpoint(), "local", "local")) {
      kinesis.createStream(b -> b.streamName("orders").shardCount(3));
      assertThat(kinesis.describeStreamSummary(b -> b.streamName("orders")).streamDescriptionSummary())
          .satisfies(s -> assertThat(s.streamStatus()).isEqualTo(StreamStatus.ACTIVE))
          .satisfies(s -> assertThat(s.streamARN())
              .isEqualTo("arn:aws:kinesis:eu-west-1:123456789012:stream/orders"));
      for (int batch = 0; batch < 10; batch++) {
        List<PutRecordsRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          String data = "record-" + batch + "-" + i;
          entries.add(PutRecordsRequestEntry.builder().partitionKey("key-" + i)
              .data(SdkBytes.fromUtf8String(data)).build());
        }
        PutRecordsResponse response = kinesis.putRecords(b -> b.streamName("orders").records(entries));
        assertThat(response.failedRecordCount()).isZero();
        for (int i = 0; i < entries.size(); i++) {
          PutRecordsResultEntry result = response.records().get(i);
          acknowledged.add(result.shardId() + "/" + result.sequenceNumber() + "/"
              + entries.get(i).data().asUtf8String());
        }
      }
      PutRecordResponse last = kinesis.putRecord(b -> b.streamName("orders").partitionKey("last")
          .data(SdkBytes.fromUtf8String("the last one")));
      acknowledged.add(last.shardId() + "/" + last.sequenceNumber() + "/the last one");
    }

    assertThat(server.stop()).as(server.describe()).isZero();
    assertThat(server.out).as(server.describe()).endsWith("freshet server stopped");
    assertThat(server.err()).as(server.describe())
        .doesNotContainIgnoringCase("warn").doesNotContainIgnoringCase("error")
        .doesNotContainIgnoringCase("exception");

    assertThat(readBack(StoreConfig.builder(dataDir).build())).isEqualTo(acknowledged);
  }

  @Test
  void aSecondServerOnTheSamePortOrFolderFailsWithOneLine() throws Exception {
    ServerProcess first = start("--port", "0");
    assertThat(first.awaitReady()).as(first.describe()).isTrue();
    int port = first.endpoint().getPort();

    ServerProcess samePort = start(otherDataDir, "--port", Integer.toString(port));
    assertThat(samePort.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    samePort.drain();
    assertThat(samePort.process.exitValue()).as(samePort.describe()).isEqualTo(1);
    assertThat(samePort.err().strip()).as(samePort.describe())
        .startsWith("error: cannot listen on 127.0.0.1:" + port + ": address already in use")
        .doesNotContain("\tat ").doesNotContain("\n");
    assertThat(samePort.out).isEmpty();

    ServerProcess sameFolder = start("--port", "0");
    assertThat(sameFolder.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    sameFolder.drain();
    assertThat(sameFolder.process.exitValue()).as(sameFolder.describe()).isEqualTo(1);
    assertThat(sameFolder.err().strip()).as(sameFolder.describe())
        .startsWith("error: ResourceInUseException: the data folder ")
        .contains("in use by another Freshet process").doesNotContain("\n");

    // The first server was not disturbed.
    try (KinesisClient kinesis = client(first.endpoint(), "local", "local")) {
      assertThat(kinesis.listStreams().streamNames()).isEmpty();
    }
    assertThat(first.stop()).as(first.describe()).isZero();
  }

  @Test
  void withCredentialsOnlyTheirKeysAreAccepted() throws Exception {
    Path credentials = files.resolve("credentials");
    Files.writeString(credentials, String.join("\n",
        "[default]",
        "aws_access_key_id = AKIDLOCAL",
        "aws_secret_access_key = local-secret",
        "region = eu-west-1",
        ""));
    ServerProcess server = start("--credentials", credentials.toString());
    assertThat(server.awaitReady()).as(server.describe()).isTrue();

    try (KinesisClient kinesis = client(server.endpoint(), "AKIDLOCAL", "local-secret")) {
      kinesis.createStream(b -> b.streamName("signed").shardCount(1));
      assertThat(kinesis.listStreams().streamNames()).containsExactly("signed");
    }
    try (KinesisClient stranger = client(server.endpoint(), "AKIDSTRANGER", "local-secret")) {
      assertThatThrownBy(stranger::listStreams)
          .isInstanceOfSatisfying(KinesisException.class, e ->
              assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException"));
    }
    assertThat(server.stop()).as(server.describe()).isZero();
  }

  @Test
  void tlsAloneServesAGeneratedCertificateAndPrintsItsFingerprint() throws Exception {
    ServerProcess server = start("--tls");
    assertThat(server.awaitReady()).as(server.describe()).isTrue();
    Path pem = dataDir.toAbsolutePath().normalize().resolve("server-certificate.pem");
    assertThat(server.out.get(0)).isEqualTo(
        "self-signed TLS certificate for localhost, 127.0.0.1 and ::1 in " + pem);
    assertThat(server.out.get(2)).startsWith(READY + "https://127.0.0.1:");

    X509Certificate certificate;
    try (InputStream in = Files.newInputStream(pem)) {
      certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    String fingerprint = HexFormat.ofDelimiter(":").withUpperCase()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    assertThat(server.out.get(1)).isEqualTo("  SHA-256 fingerprint " + fingerprint);

    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    trusted.setCertificateEntry("freshet", certificate);
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    try (KinesisClient kinesis = KinesisClient.builder()
        .endpointOverride(server.endpoint())
        .region(Region.EU_WEST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .httpClient(ApacheHttpClient.builder().tlsTrustManagersProvider(trust::getTrustManagers).build())
        .build()) {
      kinesis.createStream(b -> b.streamName("secure").shardCount(1));
      assertThat(kinesis.listStreams().streamNames()).containsExactly("secure");
    }
    assertThat(server.stop()).as(server.describe()).isZero();
  }

  private KinesisClient client(URI endpoint, String accessKey, String secret) {
    return KinesisClient.builder()
        .endpointOverride(endpoint)
        .region(Region.EU_WEST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secret)))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .httpClient(ApacheHttpClient.create())
        .build();
  }

  /** Every record in the store as shardId/sequenceNumber/data. */
  private static Set<String> readBack(StoreConfig config) {
    Set<String> records = new HashSet<>();
    try (StreamClient store = LocalStreamStore.open(config)) {
      for (Shard shard : store.listShards(ListShardsRequest.of("orders")).shards()) {
        String iterator = store.getShardIterator("orders", shard.shardId(), StartingPosition.trimHorizon());
        while (iterator != null) {
          GetRecordsResult page = store.getRecords(iterator, 10_000);
          page.records().forEach(r -> records.add(shard.shardId() + "/" + r.sequenceNumber() + "/"
              + new String(r.data(), StandardCharsets.UTF_8)));
          iterator = page.records().isEmpty() ? null : page.nextShardIterator();
        }
      }
    }
    return records;
  }

  private ServerProcess start(String... args) throws IOException {
    return start(dataDir, args);
  }

  private ServerProcess start(Path dir, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "dev.freshet.cli.Freshet", "server", "--data-dir", dir.toString()));
    if (!List.of(args).contains("--port")) {
      command.addAll(List.of("--port", "0"));
    }
    command.addAll(List.of(args));
    ServerProcess server = new ServerProcess(new ProcessBuilder(command).start());
    started.add(server);
    return server;
  }

  /** A child {@code freshet server} with its output collected line by line as it comes. */
  private static final class ServerProcess {
    final Process process;
    final List<String> out = new CopyOnWriteArrayList<>();
    final List<String> errLines = new CopyOnWriteArrayList<>();
    private final Thread outReader;
    private final Thread errReader;

    ServerProcess(Process process) {
      this.process = process;
      this.outReader = reader(process.getInputStream(), out);
      this.errReader = reader(process.getErrorStream(), errLines);
    }

    private static Thread reader(InputStream stream, List<String> lines) {
      Thread thread = new Thread(() -> {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
          for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            lines.add(line);
          }
        } catch (IOException closed) {
          // The process ended; what it printed is in `lines`.
        }
      });
      thread.setDaemon(true);
      thread.start();
      return thread;
    }

    /** Waits for the ready line; false when the process ended (or a minute passed) without it. */
    boolean awaitReady() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      while (System.nanoTime() < deadline) {
        if (out.stream().anyMatch(line -> line.startsWith(READY))) {
          return true;
        }
        if (!process.isAlive()) {
          drain();
          return false;
        }
        Thread.sleep(20);
      }
      return false;
    }

    URI endpoint() {
      String line = out.stream().filter(l -> l.startsWith(READY)).findFirst().orElseThrow();
      return URI.create(line.substring(READY.length(), line.indexOf(' ', READY.length())));
    }

    /** SIGTERM, then the exit code once it has stopped. */
    int stop() throws InterruptedException {
      // The same SIGTERM as Process.destroy(), which however also closes our ends of the pipes,
      // losing what the server prints while it stops.
      assertThat(process.toHandle().destroy()).isTrue();
      assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("stopped within 90 s").isTrue();
      drain();
      return process.exitValue();
    }

    void drain() throws InterruptedException {
      outReader.join(10_000);
      errReader.join(10_000);
    }

    String err() {
      return String.join("\n", errLines);
    }

    String describe() {
      return "stdout:\n" + String.join("\n", out) + "\nstderr:\n" + err();
    }
  }
}
