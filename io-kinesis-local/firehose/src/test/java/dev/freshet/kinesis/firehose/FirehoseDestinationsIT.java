package dev.freshet.kinesis.firehose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.freshet.transforms.firehose.PostgresCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.firehose.model.InvalidArgumentException;
import software.amazon.awssdk.services.firehose.model.ProcessorParameterName;
import software.amazon.awssdk.services.firehose.model.ProcessorType;
import software.amazon.awssdk.services.firehose.model.Record;

/**
 * Destinations other than plain S3, with the SDK client: an HTTP endpoint (a real receiver on a
 * loopback port that fails some requests), and the Lambda processor answered by a Java transformer
 * found by name with ServiceLoader. Without an S3 API, objects land as files under
 * {@code <data-dir>/s3/BUCKET}.
 */
class FirehoseDestinationsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static FirehoseFixture fixture;
  private static HttpServer receiver;
  /** Per request id, how many attempts; the first attempt of each is answered 500. */
  private static final ConcurrentHashMap<String, AtomicInteger> ATTEMPTS = new ConcurrentHashMap<>();
  private static final List<String> ACCEPTED = new CopyOnWriteArrayList<>();
  private static final List<String> ACCESS_KEYS = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    fixture = FirehoseFixture.start(Files.createTempDirectory("freshet-firehose-dest-"), false);
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/ingest", FirehoseDestinationsIT::receive);
    receiver.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (receiver != null) {
      receiver.stop(0);
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  private static void receive(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      JsonNode json = JSON.readTree(body);
      String requestId = json.get("requestId").asText();
      ACCESS_KEYS.add(String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Firehose-Access-Key")));
      int attempt = ATTEMPTS.computeIfAbsent(requestId, k -> new AtomicInteger()).incrementAndGet();
      int status = attempt == 1 ? 500 : 200;
      if (status == 200) {
        json.get("records").forEach(r -> ACCEPTED.add(
            new String(Base64.getDecoder().decode(r.get("data").asText()), StandardCharsets.UTF_8)));
      }
      byte[] answer = ("{\"requestId\":\"" + requestId + "\",\"timestamp\":" + System.currentTimeMillis()
          + (status == 200 ? "" : ",\"errorMessage\":\"receiver is warming up\"") + "}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, answer.length);
      exchange.getResponseBody().write(answer);
    }
  }

  private static List<String> files(String bucket) {
    Path folder = fixture.dataDir.resolve("s3").resolve(bucket);
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    List<String> contents = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path file : walk.filter(f -> Files.isRegularFile(f) && !f.getFileName().toString().startsWith("."))
          .toList()) {
        contents.add(folder.relativize(file) + "=" + Files.readString(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return contents;
  }

  @Test
  void httpEndpointGetsEveryRecordAfterTheFailedAttemptsAreRetried() throws Exception {
    String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/ingest";
    fixture.client.createDeliveryStream(b -> b.deliveryStreamName("to-http")
        .httpEndpointDestinationConfiguration(h -> h
            .endpointConfiguration(e -> e.url(url).name("receiver").accessKey("local-secret"))
            .bufferingHints(bh -> bh.sizeInMBs(1).intervalInSeconds(0))
            .retryOptions(r -> r.durationInSeconds(60))
            .s3Configuration(s3 -> s3.bucketARN("arn:aws:s3:::http-backup")
                .roleARN("arn:aws:iam::000000000000:role/firehose"))));
    fixture.awaitActive("to-http");
    fixture.client.putRecordBatch(b -> b.deliveryStreamName("to-http").records(
        Stream.of("a", "b", "c").map(s -> Record.builder().data(SdkBytes.fromUtf8String(s)).build()).toList()));
    FirehoseFixture.await(() -> ACCEPTED.size() >= 3, "three records accepted by the receiver");
    assertThat(ACCEPTED).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(ATTEMPTS.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(2));
    assertThat(ACCESS_KEYS).containsOnly("local-secret");
    assertThat(fixture.client.describeDeliveryStream(b -> b.deliveryStreamName("to-http"))
        .deliveryStreamDescription().destinations().get(0).httpEndpointDestinationDescription()
        .endpointConfiguration().url()).isEqualTo(url);
  }

  @Test
  void redshiftDestinationLoadsPostgresqlByCopyFromTheStagingBucket() throws Exception {
    assertThatThrownBy(() -> fixture.client.createDeliveryStream(b -> b.deliveryStreamName("to-redshift")
        .redshiftDestinationConfiguration(r -> r.clusterJDBCURL("jdbc:redshift://cluster:5439/dev")
            .username("u").password("p").roleARN("arn:aws:iam::000000000000:role/firehose")
            .copyCommand(c -> c.dataTableName("clicks"))
            .s3Configuration(s3 -> s3.bucketARN("arn:aws:s3:::staging").roleARN("arn:aws:iam::000000000000:role/r")))))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("jdbc:postgresql://");
    try (PostgresCluster postgres = PostgresCluster.start()) {
      postgres.execute("CREATE TABLE clicks (id integer, page text)");
      fixture.client.createDeliveryStream(b -> b.deliveryStreamName("to-postgres")
          .redshiftDestinationConfiguration(r -> r.clusterJDBCURL(postgres.jdbcUrl()).username("freshet")
              .password("unused").roleARN("arn:aws:iam::000000000000:role/firehose")
              .copyCommand(c -> c.dataTableName("clicks").dataTableColumns("id,page").copyOptions("JSON 'auto'"))
              .retryOptions(o -> o.durationInSeconds(60))
              .s3Configuration(s3 -> s3.bucketARN("arn:aws:s3:::staging").prefix("clicks/")
                  .roleARN("arn:aws:iam::000000000000:role/firehose")
                  .bufferingHints(h -> h.sizeInMBs(1).intervalInSeconds(0)))));
      fixture.awaitActive("to-postgres");
      assertThat(fixture.client.describeDeliveryStream(b -> b.deliveryStreamName("to-postgres"))
          .deliveryStreamDescription().destinations().get(0).redshiftDestinationDescription().username())
          .isEqualTo("freshet");
      fixture.client.putRecordBatch(b -> b.deliveryStreamName("to-postgres").records(
          Stream.of("{\"id\":1,\"page\":\"/a\"}", "{\"id\":2,\"page\":\"/b\"}", "{\"id\":3}")
              .map(s -> Record.builder().data(SdkBytes.fromUtf8String(s)).build()).toList()));
      List<String> rows = new ArrayList<>();
      FirehoseFixture.await(() -> {
        rows.clear();
        try (java.sql.Connection c = postgres.connect();
            java.sql.ResultSet r = c.createStatement().executeQuery("SELECT id, page FROM clicks ORDER BY id")) {
          while (r.next()) {
            rows.add(r.getInt(1) + ":" + r.getString(2));
          }
        } catch (java.sql.SQLException e) {
          throw new IllegalStateException(e);
        }
        return rows.size() >= 3;
      }, "three rows in PostgreSQL");
      assertThat(rows).containsExactly("1:/a", "2:/b", "3:null");
      assertThat(files("staging")).singleElement().satisfies(f -> assertThat(f).startsWith("clicks/"));
      fixture.client.deleteDeliveryStream(b -> b.deliveryStreamName("to-postgres"));
    }
  }

  @Test
  void lambdaProcessorRunsTheNamedJavaTransformer() throws Exception {
    fixture.client.createDeliveryStream(b -> b.deliveryStreamName("transformed")
        .extendedS3DestinationConfiguration(s3 -> s3.bucketARN("arn:aws:s3:::transformed")
            .roleARN("arn:aws:iam::000000000000:role/firehose")
            .bufferingHints(bh -> bh.sizeInMBs(1).intervalInSeconds(0))
            .processingConfiguration(p -> p.enabled(true).processors(
                pr -> pr.type(ProcessorType.LAMBDA).parameters(pp -> pp.parameterName(ProcessorParameterName.LAMBDA_ARN)
                    .parameterValue("arn:aws:lambda:us-east-1:000000000000:function:UpperCaseTransformer:$LATEST")),
                pr -> pr.type(ProcessorType.APPEND_DELIMITER_TO_RECORD)))));
    fixture.awaitActive("transformed");
    fixture.client.putRecordBatch(b -> b.deliveryStreamName("transformed").records(
        Stream.of("hello", "drop", "fail", "world").map(s -> Record.builder().data(SdkBytes.fromUtf8String(s)).build())
            .toList()));
    FirehoseFixture.await(() -> files("transformed").size() >= 2, "the data and error objects");
    List<String> data = files("transformed").stream().filter(f -> !f.startsWith("processing-failed/")).toList();
    List<String> errors = files("transformed").stream().filter(f -> f.startsWith("processing-failed/")).toList();
    assertThat(data).singleElement().satisfies(f -> assertThat(Arrays.asList(f.substring(f.indexOf('=') + 1)
        .split("\n"))).containsExactly("HELLO", "WORLD"));
    assertThat(errors).singleElement().satisfies(f -> assertThat(f)
        .contains("\"errorCode\":\"Lambda.ProcessingFailed\"")
        .contains(Base64.getEncoder().encodeToString("fail".getBytes(StandardCharsets.UTF_8)))
        .contains("UpperCaseTransformer"));
  }
}
