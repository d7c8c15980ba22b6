package dev.freshet.kinesis.firehose;

import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.zip.GZIPInputStream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamStatus;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real store on a folder, the S3 API on a free port, the Firehose service and the server on a
 * free port, and AWS SDK v2 Firehose and S3 clients pointed at them.
 */
final class FirehoseFixture implements AutoCloseable {
  static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDFRESHET", "secret"));

  final Path dataDir;
  final LocalStreamStore store;
  final Optional<S3Server> s3;
  final FirehoseService firehose;
  final KinesisServer server;
  final FirehoseClient client;
  final S3Client s3Client;

  private FirehoseFixture(Path dataDir, LocalStreamStore store, Optional<S3Server> s3, FirehoseService firehose,
      KinesisServer server) {
    this.dataDir = dataDir;
    this.store = store;
    this.s3 = s3;
    this.firehose = firehose;
    this.server = server;
    this.client = FirehoseClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(CREDENTIALS).httpClient(ApacheHttpClient.create()).build();
    this.s3Client = s3.map(s3Server -> S3Client.builder().endpointOverride(s3Server.endpoint())
        .region(Region.US_EAST_1).forcePathStyle(true).credentialsProvider(CREDENTIALS)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClient(ApacheHttpClient.create()).build()).orElse(null);
  }

  /** Everything on {@code dataDir}; with the S3 API or without (objects then go to files). */
  static FirehoseFixture start(Path dataDir, boolean withS3) throws Exception {
    LocalStreamStore store = LocalStreamStore.open(StoreConfig.builder(dataDir).build());
    Optional<S3Server> s3 = withS3 ? Optional.of(S3Server.start(dataDir.resolve("s3"), "127.0.0.1", 0))
        : Optional.empty();
    FirehoseService firehose = FirehoseService.open(FirehoseServiceConfig.builder(dataDir).build(), store, s3);
    KinesisServer server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store, List.of(firehose));
    return new FirehoseFixture(dataDir, store, s3, firehose, server);
  }

  /** Waits until {@code name} is ACTIVE. */
  void awaitActive(String name) throws InterruptedException {
    await(() -> client.describeDeliveryStream(b -> b.deliveryStreamName(name)).deliveryStreamDescription()
        .deliveryStreamStatus() == DeliveryStreamStatus.ACTIVE, "delivery stream " + name + " ACTIVE");
  }

  /** Polls {@code condition} every 20 ms for up to 60 s. */
  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!holds(condition)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  /**
   * A key listed a moment ago may not be readable yet or any more (S3 listings are not a snapshot;
   * s3proxy's file store lists an object while its file is being replaced): not yet, ask again.
   */
  private static boolean holds(BooleanSupplier condition) {
    try {
      return condition.getAsBoolean();
    } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
      return false;
    }
  }

  static String gunzip(InputStream in) throws IOException {
    try (GZIPInputStream gzip = new GZIPInputStream(in)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      gzip.transferTo(out);
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      client.close();
      if (s3Client != null) {
        s3Client.close();
      }
      server.close();
    } finally {
      try {
        if (s3.isPresent()) {
          s3.get().close();
        }
      } finally {
        store.close();
      }
    }
  }
}
