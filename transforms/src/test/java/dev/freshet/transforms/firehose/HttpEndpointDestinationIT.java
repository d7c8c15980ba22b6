package dev.freshet.transforms.firehose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.joda.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The HTTP endpoint destination against a real receiver on a loopback port (the JDK's HttpServer),
 * which answers each attempt of a request as the test says: 200, 500, 413, a 200 with another
 * request id, or too late. Attempts are counted at the receiver; no test asserts a duration.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HttpEndpointDestinationIT {
  private static HttpServer server;
  private static ExecutorService executor;
  private static URI url;
  /** Every request received, in order of arrival. */
  private static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
  private static final Map<String, Integer> ATTEMPTS = new ConcurrentHashMap<>();
  /** How the receiver answers the n-th attempt (from 1) of a request id. */
  private static volatile IntFunction<Answer> answers = n -> Answer.OK;

  @TempDir Path dir;

  enum Answer { OK, SERVER_ERROR, WRONG_REQUEST_ID, TOO_SLOW, TOO_LARGE }

  /** One request as the receiver saw it. */
  record Received(String headerRequestId, String bodyRequestId, Map<String, List<String>> headers,
      List<String> records, Answer answer) {
    String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }
  }

  @BeforeAll
  static void startReceiver() throws IOException {
    executor = Executors.newFixedThreadPool(8);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/firehose", HttpEndpointDestinationIT::handle);
    server.setExecutor(executor);
    server.start();
    url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/firehose?stream=test");
  }

  @AfterAll
  static void stopReceiver() {
    if (server != null) {
      server.stop(0);
    }
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  @BeforeEach
  void reset() {
    RECEIVED.clear();
    ATTEMPTS.clear();
    answers = n -> Answer.OK;
  }

  private static void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] raw;
      try (InputStream in = exchange.getRequestBody()) {
        raw = in.readAllBytes();
      }
      boolean gzip = "gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"));
      byte[] body = gzip ? new GZIPInputStream(new java.io.ByteArrayInputStream(raw)).readAllBytes() : raw;
      JsonNode json = FirehoseDeliveryTest.json(new String(body, StandardCharsets.UTF_8));
      String requestId = json.get("requestId").asText();
      List<String> records = new ArrayList<>();
      json.get("records").forEach(r -> records.add(
          new String(Base64.getDecoder().decode(r.get("data").asText()), StandardCharsets.UTF_8)));
      int attempt = ATTEMPTS.merge(requestId, 1, Integer::sum);
      Answer answer = answers.apply(attempt);
      RECEIVED.add(new Received(exchange.getRequestHeaders().getFirst("X-Amz-Firehose-Request-Id"), requestId,
          Map.copyOf(exchange.getRequestHeaders()), records, answer));
      switch (answer) {
        case OK -> respond(exchange, 200, "{\"requestId\":\"" + requestId + "\",\"timestamp\":" + System.currentTimeMillis() + "}");
        case SERVER_ERROR -> respond(exchange, 500, "{\"requestId\":\"" + requestId + "\",\"timestamp\":"
            + System.currentTimeMillis() + ",\"errorMessage\":\"receiver is down\"}");
        case TOO_LARGE -> respond(exchange, 413, "{\"requestId\":\"" + requestId + "\",\"timestamp\":"
            + System.currentTimeMillis() + ",\"errorMessage\":\"Payload too large\"}");
        case WRONG_REQUEST_ID -> respond(exchange, 200, "{\"requestId\":\"not-" + requestId + "\",\"timestamp\":1}");
        case TOO_SLOW -> {
          // Far longer than the client's request timeout; the client has given up by then.
          Thread.sleep(5_000);
          respond(exchange, 200, "{\"requestId\":\"" + requestId + "\",\"timestamp\":1}");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // The client went away (after its timeout); nothing to answer.
    }
  }

  private static void respond(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private HttpEndpointDestination.Builder endpoint() {
    return HttpEndpointDestination.builder().setUrl(url).setBackup(FirehoseDestination.localFiles(dir.resolve("backup")))
        .setInitialBackoff(Duration.millis(10))
        // Long enough for a loaded machine to answer, far shorter than a TOO_SLOW answer.
        .setRequestTimeout(Duration.standardSeconds(1));
  }

  /** {@code count} JSON records of about 20 KiB each, so that a 1 MiB buffer holds about 50. */
  private static List<FirehoseRecord> largeRecords(int count) {
    List<FirehoseRecord> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(FirehoseRecord.ofText("{\"n\":" + i + ",\"pad\":\"" + "x".repeat(20 * 1024) + "\"}",
          FirehoseDeliveryTest.T0.plus(Duration.standardSeconds(i))));
    }
    return out;
  }

  @Test
  void everyRecordArrivesThroughFailuresWithOneRequestIdPerBatch() {
    // Each batch: a 500, a 200 naming another request, no answer in time, then a proper 200.
    answers = n -> switch (n) {
      case 1 -> Answer.SERVER_ERROR;
      case 2 -> Answer.WRONG_REQUEST_ID;
      case 3 -> Answer.TOO_SLOW;
      default -> Answer.OK;
    };
    List<FirehoseRecord> records = largeRecords(120);
    Pipeline pipeline = FirehoseDeliveryTest.directPipeline();
    FirehoseDeliveryResult result = pipeline.apply(Create.of(records)).apply(FirehoseDelivery.to(endpoint()
            .setAccessKey("local-secret").setCommonAttributes(Map.of("env", "test", "team", "data"))
            .setGzipEncoding(true).setRetryDuration(Duration.standardSeconds(60)).build())
        .withDeliveryStreamName("to-http").withBufferSize(1));
    PAssert.that(result.getErrors()).empty();
    PAssert.that(result.getDeliveredObjects()).satisfies(objects -> {
      Set<String> ids = new HashSet<>();
      long total = 0;
      for (DeliveredObject object : objects) {
        ids.add(object.key());
        total += object.recordCount();
      }
      assertThat(total).isEqualTo(120);
      assertThat(ids).hasSizeGreaterThanOrEqualTo(3);
      return null;
    });
    FirehoseDeliveryTest.run(pipeline);

    List<String> acknowledged = new ArrayList<>();
    Map<String, List<Received>> byRequest = new TreeMap<>();
    for (Received r : RECEIVED) {
      byRequest.computeIfAbsent(r.bodyRequestId(), k -> new ArrayList<>()).add(r);
      if (r.answer() == Answer.OK) {
        acknowledged.addAll(r.records());
      }
      assertThat(r.headerRequestId()).isEqualTo(r.bodyRequestId());
      assertThat(r.header("Content-Type")).isEqualTo("application/json");
      assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
      assertThat(r.header("X-Amz-Firehose-Access-Key")).isEqualTo("local-secret");
      assertThat(r.header("X-Amz-Firehose-Protocol-Version")).isEqualTo("1.0");
      assertThat(FirehoseDeliveryTest.json(r.header("X-Amz-Firehose-Common-Attributes")))
          .isEqualTo(FirehoseDeliveryTest.json("{\"commonAttributes\":{\"env\":\"test\",\"team\":\"data\"}}"));
    }
    // At least once: every record was acknowledged, and nothing else was sent.
    assertThat(acknowledged).containsAll(FirehoseDeliveryTest.texts(records));
    assertThat(new HashSet<>(acknowledged)).hasSameSizeAs(records);
    // The same request id, with the same records, for every attempt of a batch.
    assertThat(byRequest).hasSizeGreaterThanOrEqualTo(3);
    byRequest.forEach((id, attempts) -> {
      assertThat(attempts).extracting(Received::answer).startsWith(Answer.SERVER_ERROR, Answer.WRONG_REQUEST_ID,
          Answer.TOO_SLOW, Answer.OK);
      assertThat(attempts).extracting(Received::records).containsOnly(attempts.get(0).records());
      assertThat(attempts.get(0).records()).hasSizeLessThanOrEqualTo(52);
    });
    assertThat(Objects.read(dir.resolve("backup"))).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = Answer.class, names = {"SERVER_ERROR", "WRONG_REQUEST_ID", "TOO_SLOW", "TOO_LARGE"})
  void aBatchTheEndpointNeverTakesGoesToTheErrorOutputWithTheServicesCode(Answer failure) {
    answers = n -> failure;
    String expectedCode = switch (failure) {
      case SERVER_ERROR, TOO_LARGE -> "HttpEndpoint.DestinationException";
      case WRONG_REQUEST_ID -> "HttpEndpoint.InvalidResponseFromDestination";
      case TOO_SLOW -> "HttpEndpoint.RequestTimeout";
      default -> throw new AssertionError(failure);
    };
    List<FirehoseRecord> records = FirehoseDeliveryTest.jsonRecords(10, 1);
    List<String> expected = new ArrayList<>(FirehoseDeliveryTest.texts(records));
    Pipeline pipeline = FirehoseDeliveryTest.directPipeline();
    FirehoseDeliveryResult result = pipeline.apply(Create.of(records))
        .apply(FirehoseDelivery.to(endpoint().setRetryDuration(Duration.millis(400)).build())
            .withDeliveryStreamName("to-http"));
    PAssert.that(result.getDeliveredObjects()).satisfies(objects -> {
      assertThat(objects).allMatch(DeliveredObject::errorOutput);
      return null;
    });
    PAssert.that(result.getErrors()).satisfies(errors -> {
      List<String> raw = new ArrayList<>();
      Set<Long> attempts = new HashSet<>();
      for (FirehoseErrorRecord error : errors) {
        assertThat(error.errorCode()).isEqualTo(expectedCode);
        assertThat(error.errorOutputType()).isEqualTo("http-endpoint-failed");
        attempts.add(error.attemptsMade());
        raw.add(new String(error.rawDataBytes(), StandardCharsets.UTF_8));
      }
      assertThat(raw).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(attempts).singleElement();
      return null;
    });
    FirehoseDeliveryTest.run(pipeline);

    // One batch; its attempts as the receiver counted them, the same request id throughout.
    assertThat(ATTEMPTS).hasSize(1);
    int seen = ATTEMPTS.values().iterator().next();
    if (failure == Answer.TOO_LARGE) {
      assertThat(seen).as("413 is final at once").isEqualTo(1);
    } else {
      assertThat(seen).as("retried within the retry duration").isGreaterThanOrEqualTo(2);
    }
    assertThat(RECEIVED).allSatisfy(r -> {
      assertThat(r.header("Content-Encoding")).isNull();
      assertThat(r.header("X-Amz-Firehose-Access-Key")).isNull();
      assertThat(r.header("X-Amz-Firehose-Common-Attributes")).isNull();
    });
    TreeMap<String, byte[]> backup = Objects.read(dir.resolve("backup"));
    assertThat(backup.keySet()).allMatch(key -> key.startsWith("http-endpoint-failed/2024/03/07/09/to-http-1-"));
    List<JsonNode> lines = Objects.lines(backup).stream().map(FirehoseDeliveryTest::json).toList();
    assertThat(lines).hasSize(10).allSatisfy(line -> {
      assertThat(line.get("errorCode").asText()).isEqualTo(expectedCode);
      assertThat(line.get("attemptsMade").asInt()).isEqualTo(seen);
    });
    if (failure == Answer.SERVER_ERROR) {
      assertThat(lines.get(0).get("errorMessage").asText()).contains("500").contains("receiver is down");
    }
  }

  @Test
  void aRetryDurationOfZeroMeansOneAttempt() {
    answers = n -> Answer.SERVER_ERROR;
    Pipeline pipeline = FirehoseDeliveryTest.directPipeline();
    FirehoseDeliveryResult result = pipeline.apply(Create.of(FirehoseDeliveryTest.jsonRecords(3, 1)))
        .apply(FirehoseDelivery.to(endpoint().setRetryDuration(Duration.ZERO).build()).withDeliveryStreamName("once"));
    PAssert.that(result.getErrors()).satisfies(errors -> {
      assertThat(errors).hasSize(3).allMatch(e -> e.attemptsMade() == 1);
      return null;
    });
    FirehoseDeliveryTest.run(pipeline);
    assertThat(RECEIVED).hasSize(1);
  }

  @Test
  void deliversOnFlinkThroughARetriedFailure() {
    answers = n -> n == 1 ? Answer.SERVER_ERROR : Answer.OK;
    List<FirehoseRecord> records = FirehoseDeliveryTest.jsonRecords(300, 3);
    Pipeline pipeline = Pipeline.create(org.apache.beam.sdk.options.PipelineOptionsFactory.fromArgs(
            "--runner=FlinkRunner", "--flinkMaster=[local]", "--streaming=true", "--parallelism=2")
        .withValidation().as(org.apache.beam.runners.flink.FlinkPipelineOptions.class));
    pipeline.apply(Create.of(records)).apply(FirehoseDelivery.to(endpoint().setAccessKey("flink-key")
            .setRetryDuration(Duration.standardSeconds(60)).build())
        .withDeliveryStreamName("flink-http").withPartitionKeyFromQuery("customer", ".customer")
        .withPrefix("!{partitionKeyFromQuery:customer}/").withErrorOutputPrefix("errors/!{firehose:error-output-type}/"));
    FirehoseDeliveryTest.run(pipeline);

    List<String> acknowledged = new ArrayList<>();
    Map<String, List<Received>> byRequest = new TreeMap<>();
    for (Received r : RECEIVED) {
      byRequest.computeIfAbsent(r.bodyRequestId(), k -> new ArrayList<>()).add(r);
      if (r.answer() == Answer.OK) {
        acknowledged.addAll(r.records());
      }
      assertThat(r.header("X-Amz-Firehose-Access-Key")).isEqualTo("flink-key");
    }
    assertThat(acknowledged).containsExactlyInAnyOrderElementsOf(FirehoseDeliveryTest.texts(records));
    // One batch per customer partition, each refused once and then taken under the same id.
    assertThat(byRequest).hasSize(3).allSatisfy((id, attempts) -> {
      assertThat(attempts).extracting(Received::answer).containsExactly(Answer.SERVER_ERROR, Answer.OK);
      assertThat(attempts.get(1).records()).isEqualTo(attempts.get(0).records());
    });
  }
}
