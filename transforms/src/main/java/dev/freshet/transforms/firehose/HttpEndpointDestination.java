package dev.freshet.transforms.firehose;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.auto.value.AutoValue;
import com.google.common.collect.ImmutableMap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLHandshakeException;
import org.joda.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP endpoint that speaks the service's HTTP endpoint delivery protocol (request and response
 * specification 1.0), with an object store beside it for the records it could not take (the
 * service's S3 backup, failed data only).
 *
 * <pre>{@code
 * HttpEndpointDestination.builder()
 *     .setUrl(URI.create("https://collector.example.com/firehose"))  // required
 *     .setBackup(FirehoseDestination.localFiles(Path.of("/data/failed")))  // required: the error output
 *     .setAccessKey("token")                          // default none: no X-Amz-Firehose-Access-Key
 *     .setCommonAttributes(Map.of("env", "dev"))      // default none: no X-Amz-Firehose-Common-Attributes
 *     .setGzipEncoding(true)                          // default false
 *     .setRetryDuration(Duration.standardSeconds(60)) // default 300 s, 0–7200 s
 *     .build();
 * }</pre>
 *
 * <p>Each buffer is one POST of {@code {"requestId", "timestamp", "records": [{"data": base64}]}}
 * (at most 10,000 records, as the specification allows) with {@code Content-Type:
 * application/json}, {@code X-Amz-Firehose-Protocol-Version: 1.0}, {@code
 * X-Amz-Firehose-Request-Id} (the same for every attempt of the batch), {@code
 * X-Amz-Firehose-Source-Arn}, and the access key and common attributes when set. Only a 200 whose
 * JSON body echoes the request id and has a numeric timestamp counts as delivered.
 *
 * <p>Any other answer is retried after 1 s, doubling with ±15% jitter up to 2 minutes, with no
 * retry started later than the retry duration after the first failure. Then the batch's records go
 * to the error output ({@code http-endpoint-failed}) with the service's error code: {@code
 * HttpEndpoint.DestinationException} (a status other than 200; the message holds the status and
 * body), {@code HttpEndpoint.InvalidResponseFromDestination} (a 200 that breaks the
 * specification), {@code HttpEndpoint.RequestTimeout}, {@code HttpEndpoint.ResponseTooLarge} (over
 * 1 MiB), {@code HttpEndpoint.ConnectionFailed}, {@code HttpEndpoint.ConnectionReset}, {@code
 * HttpEndpoint.SSLHandshakeFailure}. A 413 is final at once, as in the specification; unlike the
 * service, which drops such a batch, its records go to the error output too.
 *
 * <p>Unlike the service, plain {@code http} and any port are allowed, for local receivers.
 */
@AutoValue
public abstract class HttpEndpointDestination implements BatchDestination {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(HttpEndpointDestination.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory JSON_FACTORY = new JsonFactory();

  /** {@code !{firehose:error-output-type}} of records an endpoint did not take. */
  public static final String ERROR_OUTPUT_TYPE = "http-endpoint-failed";
  static final String DESTINATION_EXCEPTION = "HttpEndpoint.DestinationException";
  static final String INVALID_RESPONSE = "HttpEndpoint.InvalidResponseFromDestination";
  static final String REQUEST_TIMEOUT = "HttpEndpoint.RequestTimeout";
  static final String RESPONSE_TOO_LARGE = "HttpEndpoint.ResponseTooLarge";
  static final String CONNECTION_FAILED = "HttpEndpoint.ConnectionFailed";
  static final String CONNECTION_RESET = "HttpEndpoint.ConnectionReset";
  static final String SSL_HANDSHAKE_FAILURE = "HttpEndpoint.SSLHandshakeFailure";

  static final int MAX_RECORDS = 10_000;
  static final int MAX_RESPONSE_BYTES = 1 << 20;
  private static final int MAX_ACCESS_KEY_BYTES = 4096;
  private static final int MAX_MESSAGE_CHARS = 8192;
  private static final Duration MAX_RETRY_DURATION = Duration.standardSeconds(7200);

  public static Builder builder() {
    return new AutoValue_HttpEndpointDestination.Builder()
        .setCommonAttributes(Map.of())
        .setGzipEncoding(false)
        .setRetryDuration(Duration.standardSeconds(300))
        .setRequestTimeout(Duration.standardMinutes(3))
        .setInitialBackoff(Duration.standardSeconds(1))
        .setSourceArn("arn:freshet:firehose:local:000000000000:deliverystream/freshet");
  }

  public abstract URI url();

  public abstract FirehoseDestination backup();

  abstract @Nullable String accessKey();

  public abstract ImmutableMap<String, String> commonAttributes();

  public abstract boolean gzipEncoding();

  public abstract Duration retryDuration();

  public abstract Duration requestTimeout();

  abstract Duration initialBackoff();

  public abstract String sourceArn();

  /** Settings of an {@link HttpEndpointDestination}. */
  @AutoValue.Builder
  public abstract static class Builder {
    /** The endpoint; sent as it is, path and query included. Required; {@code http} or {@code https}. */
    public abstract Builder setUrl(URI url);

    /** Where the error output goes (the service's S3 backup of failed data). Required. */
    public abstract Builder setBackup(FirehoseDestination backup);

    /** Sent verbatim as {@code X-Amz-Firehose-Access-Key}; at most 4,096 bytes. Default: not sent. */
    public abstract Builder setAccessKey(@Nullable String accessKey);

    /**
     * Sent as {@code X-Amz-Firehose-Common-Attributes: {"commonAttributes": {...}}}: at most 50,
     * names of 1–256 characters, values of at most 1,024. Default: none, and no header.
     */
    public abstract Builder setCommonAttributes(Map<String, String> attributes);

    /** GZIP the request body, with {@code Content-Encoding: gzip}. Default false. */
    public abstract Builder setGzipEncoding(boolean gzip);

    /** How long to keep retrying after the first failed attempt: 0–7,200 s, default 300 s; 0 means one attempt. */
    public abstract Builder setRetryDuration(Duration duration);

    /** How long one attempt waits for the response: default 3 minutes, as the service. */
    public abstract Builder setRequestTimeout(Duration timeout);

    /** The first wait between attempts (default 1 s, as the service); tests shorten it. */
    abstract Builder setInitialBackoff(Duration backoff);

    /** Sent as {@code X-Amz-Firehose-Source-Arn}. Default: a local ARN naming no account. */
    public abstract Builder setSourceArn(String arn);

    abstract HttpEndpointDestination autoBuild();

    public HttpEndpointDestination build() {
      HttpEndpointDestination d = autoBuild();
      String scheme = d.url().getScheme();
      checkArgument("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme),
          "url must be http or https, but was: %s", d.url());
      checkArgument(!(d.backup() instanceof BatchDestination),
          "backup must be an object destination (local files or S3), but was: %s", d.backup().describe());
      checkArgument(!d.retryDuration().isShorterThan(Duration.ZERO) && !d.retryDuration().isLongerThan(MAX_RETRY_DURATION),
          "retryDuration must be between 0 and 7200 s, but was: %s s", d.retryDuration().getMillis() / 1000.0);
      checkArgument(d.requestTimeout().isLongerThan(Duration.ZERO),
          "requestTimeout must be positive, but was: %s s", d.requestTimeout().getMillis() / 1000.0);
      checkArgument(d.accessKey() == null || d.accessKey().getBytes(StandardCharsets.UTF_8).length <= MAX_ACCESS_KEY_BYTES,
          "accessKey must be at most 4096 bytes");
      checkArgument(d.commonAttributes().size() <= 50,
          "commonAttributes must have at most 50 entries, but had: %s", d.commonAttributes().size());
      d.commonAttributes().forEach((name, value) -> {
        checkArgument(!name.isEmpty() && name.length() <= 256,
            "a common attribute name must have 1 to 256 characters, but was: %s", name);
        checkArgument(value.length() <= 1024,
            "common attribute %s must have at most 1024 characters, but had: %s", name, value.length());
      });
      return d;
    }
  }

  @Override
  public Connection connect() throws IOException {
    return backup().connect();
  }

  @Override
  public String errorOutputType() {
    return ERROR_OUTPUT_TYPE;
  }

  @Override
  public int maxBufferSizeMiB() {
    return 64;
  }

  @Override
  public int maxBatchRecords() {
    return MAX_RECORDS;
  }

  @Override
  public String describe() {
    URI u = url();
    return "HTTP endpoint " + u.getScheme() + "://" + u.getAuthority() + (u.getPath() == null ? "" : u.getPath());
  }

  @Override
  public final String toString() {
    return "HttpEndpointDestination{" + describe() + ", backup=" + backup().describe() + ", gzip=" + gzipEncoding()
        + ", retryDuration=" + retryDuration() + "}";
  }

  @Override
  public BatchConnection connectBatches() {
    HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(java.time.Duration.ofMillis(Math.min(requestTimeout().getMillis(), 60_000)))
        .build();
    return new BatchConnection() {
      @Override
      public BatchResult deliver(Batch batch) throws InterruptedException {
        return post(client, batch);
      }

      @Override
      public void close() {}
    };
  }

  /** The outcome of one failed attempt. */
  private record Failure(String code, String message, boolean permanent) {}

  private BatchResult post(HttpClient client, Batch batch) throws InterruptedException {
    String requestId = UUID.randomUUID().toString();
    HttpRequest.Builder request = HttpRequest.newBuilder(url())
        .timeout(java.time.Duration.ofMillis(requestTimeout().getMillis()))
        .header("Content-Type", "application/json")
        .header("X-Amz-Firehose-Protocol-Version", "1.0")
        .header("X-Amz-Firehose-Request-Id", requestId)
        .header("X-Amz-Firehose-Source-Arn", sourceArn())
        .POST(HttpRequest.BodyPublishers.ofByteArray(requestBody(requestId, batch.records())));
    if (gzipEncoding()) {
      request.header("Content-Encoding", "gzip");
    }
    if (accessKey() != null) {
      request.header("X-Amz-Firehose-Access-Key", accessKey());
    }
    if (!commonAttributes().isEmpty()) {
      request.header("X-Amz-Firehose-Common-Attributes", commonAttributesHeader());
    }
    HttpRequest built = request.build();
    DeliveryRetries retries = new DeliveryRetries(retryDuration().getMillis(), initialBackoff().getMillis());
    while (true) {
      retries.attempt();
      Failure failure = attempt(client, built, requestId);
      if (failure == null) {
        return BatchResult.delivered(requestId, retries.attempts());
      }
      if (failure.permanent() || !retries.waitToRetry()) {
        LOG.warn("{}: request {} failed after {} attempts ({}); its {} records go to the error output",
            describe(), requestId, retries.attempts(), failure.code(), batch.records().size());
        return BatchResult.failed(failure.code(), failure.message(), retries.attempts());
      }
    }
  }

  private @Nullable Failure attempt(HttpClient client, HttpRequest request, String requestId)
      throws InterruptedException {
    HttpResponse<InputStream> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpConnectTimeoutException | ConnectException e) {
      return new Failure(CONNECTION_FAILED, "Could not connect to " + describe() + ": " + e, false);
    } catch (HttpTimeoutException e) {
      return new Failure(REQUEST_TIMEOUT, "The endpoint did not respond within "
          + requestTimeout().getMillis() / 1000.0 + " s to request " + requestId, false);
    } catch (SSLHandshakeException e) {
      return new Failure(SSL_HANDSHAKE_FAILURE, "The TLS handshake with " + describe() + " failed: " + e, false);
    } catch (IOException e) {
      return new Failure(CONNECTION_RESET, "The connection to " + describe() + " was reset or closed: " + e, false);
    }
    byte[] body;
    try (InputStream in = response.body()) {
      body = in.readNBytes(MAX_RESPONSE_BYTES + 1);
    } catch (IOException e) {
      return new Failure(CONNECTION_RESET, "The connection to " + describe()
          + " was reset or closed while reading the response: " + e, false);
    }
    if (body.length > MAX_RESPONSE_BYTES) {
      return new Failure(RESPONSE_TOO_LARGE, "The response to request " + requestId + " is larger than 1 MiB", false);
    }
    String text = truncate(new String(body, StandardCharsets.UTF_8));
    int status = response.statusCode();
    if (status != 200) {
      return new Failure(DESTINATION_EXCEPTION,
          "The following response was received from the endpoint destination. " + status + ": " + text, status == 413);
    }
    String problem = responseProblem(response, body, requestId);
    if (problem != null) {
      return new Failure(INVALID_RESPONSE, "The response received from the endpoint is invalid: " + problem
          + ". Response for request " + requestId + ". Raw response received: 200 " + text, false);
    }
    return null;
  }

  /** What is wrong with a 200 response, or null if it follows the specification. */
  private static @Nullable String responseProblem(HttpResponse<?> response, byte[] body, String requestId) {
    String type = response.headers().firstValue("Content-Type").orElse("");
    if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      return "Content-Type is not application/json but '" + type + "'";
    }
    if (response.headers().firstValue("Content-Encoding").isPresent()) {
      return "the response is content-encoded";
    }
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (IOException e) {
      return "the body is not JSON";
    }
    if (json == null || !json.isObject()) {
      return "the body is not a JSON object";
    }
    JsonNode id = json.get("requestId");
    if (id == null || !id.isTextual()) {
      return "requestId is missing";
    }
    if (!id.asText().equals(requestId)) {
      return "requestId does not match";
    }
    JsonNode timestamp = json.get("timestamp");
    if (timestamp == null || !timestamp.isNumber()) {
      return "timestamp is missing or not a number";
    }
    return null;
  }

  private static String truncate(String text) {
    return text.length() <= MAX_MESSAGE_CHARS ? text : text.substring(0, MAX_MESSAGE_CHARS);
  }

  private byte[] requestBody(String requestId, java.util.List<byte[]> records) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Base64.Encoder base64 = Base64.getEncoder();
    try (OutputStream out = gzipEncoding() ? new GZIPOutputStream(bytes, 64 * 1024) : bytes;
        JsonGenerator json = JSON_FACTORY.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("requestId", requestId);
      json.writeNumberField("timestamp", System.currentTimeMillis());
      json.writeArrayFieldStart("records");
      for (byte[] record : records) {
        json.writeStartObject();
        json.writeStringField("data", base64.encodeToString(record));
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private String commonAttributesHeader() {
    try {
      return JSON.writeValueAsString(Map.of("commonAttributes", commonAttributes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
