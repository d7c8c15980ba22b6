package dev.freshet.examples.logs;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.freshet.agent.Agent;
import dev.freshet.agent.AgentConfig;
import dev.freshet.agent.FlowStatus;
import dev.freshet.examples.Examples;
import dev.freshet.runners.FreshetPipelineOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.CompressionFormat;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamStatus;
import software.amazon.awssdk.services.firehose.model.ResourceNotFoundException;

/**
 * Logs through the agent into Firehose ({@code freshet run log-delivery
 * --endpoint=http://localhost:4567}): no Beam pipeline, but the pieces a web server's logs go
 * through. It creates the delivery stream {@value #DELIVERY_STREAM} on the server's Firehose API
 * (to the bucket {@value #BUCKET}, prefix {@code access/}, GZIP, a buffer of 1 MiB or {@code
 * --bufferIntervalSeconds}), appends {@code --lines} generated Apache access log lines ({@link
 * AccessLogGenerator}) to {@code <workDir>/logs/access.log}, and runs the {@link Agent} with {@code
 * examples/log-delivery/agent.yaml} (copied into {@code --workDir}; its {@code firehose.endpoint}
 * replaced by {@code --endpoint}) until every line is acknowledged. The agent turns each line into
 * JSON ({@code LOGTOJSON}, {@code COMBINEDAPACHELOG}); the server delivers the buffered records as
 * gzip JSON-lines objects, {@code access/yyyy/MM/dd/HH/access-logs-1-<time>-<uuid>.gz}, under
 * {@code <server data dir>/s3/logs/}.
 *
 * <p>The agent's checkpoint ({@code <workDir>/agent-checkpoints.json}) remembers how far the log was
 * sent, so a second run sends only the lines it appended.
 */
public final class LogDelivery implements Examples.Program {
  /** The delivery stream the agent sends to. */
  public static final String DELIVERY_STREAM = "access-logs";
  /** The bucket the delivery stream delivers into. */
  public static final String BUCKET = "logs";
  /** The packed agent configuration, {@code examples/log-delivery/agent.yaml} in the repository. */
  public static final String AGENT_CONFIG = "examples/log-delivery/agent.yaml";

  /** The flags of the example. */
  public interface Options extends FreshetPipelineOptions {
    @Description("How many access log lines to append to <workDir>/logs/access.log. Default: 200.")
    @Default.Integer(200)
    int getLines();

    void setLines(int value);

    @Description("The folder of the agent's configuration, the log and the checkpoints. Default: "
        + "<java.io.tmpdir>/freshet-log-delivery.")
    String getWorkDir();

    void setWorkDir(String value);

    @Description("The delivery stream's buffer interval in seconds, 0 to 900 (when it is created). Default: 10.")
    @Default.Integer(10)
    int getBufferIntervalSeconds();

    void setBufferIntervalSeconds(int value);

    @Description("How long to wait for the agent to send every line, in seconds. Default: 60.")
    @Default.Integer(60)
    int getTimeoutSeconds();

    void setTimeoutSeconds(int value);
  }

  @Override
  public void prepare(FreshetPipelineOptions given, PrintWriter out) throws Exception {
    Options options = given.as(Options.class);
    URI endpoint = firehoseEndpoint(options);
    if (options.getLines() < 0 || options.getBufferIntervalSeconds() < 0 || options.getBufferIntervalSeconds() > 900) {
      throw new IllegalArgumentException("lines must be 0 or more and bufferIntervalSeconds 0 to 900, but were: "
          + options.getLines() + " and " + options.getBufferIntervalSeconds());
    }
    Path work = workDir(options);
    Files.createDirectories(work.resolve("logs"));
    Path config = work.resolve("agent.yaml");
    if (!Files.exists(config)) {
      try (InputStream in = LogDelivery.class.getClassLoader().getResourceAsStream(AGENT_CONFIG)) {
        Files.write(config, in.readAllBytes());
      }
    }
    try (FirehoseClient firehose = firehose(endpoint)) {
      if (createDeliveryStream(firehose, options.getBufferIntervalSeconds())) {
        out.printf("created delivery stream %s: bucket %s, prefix access/, GZIP, 1 MiB or %d s%n",
            DELIVERY_STREAM, BUCKET, options.getBufferIntervalSeconds());
      }
    } catch (SdkException e) {
      throw new IllegalStateException("cannot create delivery stream " + DELIVERY_STREAM + " through the Firehose API at "
          + endpoint + " (is freshet server running there?): " + e.getMessage(), e);
    }
    List<AccessLogGenerator.Request> requests = AccessLogGenerator.requests(System.nanoTime(), options.getLines(),
        Instant.now().truncatedTo(ChronoUnit.SECONDS));
    StringBuilder text = new StringBuilder();
    requests.forEach(request -> text.append(request.line()).append('\n'));
    Path log = work.resolve("logs/access.log");
    Files.writeString(log, text, UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    out.printf("appended %d lines to %s%n", requests.size(), log);
  }

  @Override
  public Optional<Pipeline> pipeline(FreshetPipelineOptions options) {
    return Optional.empty();
  }

  /** Runs the agent until every line of the log is sent, then stops it. */
  @Override
  public void finish(FreshetPipelineOptions given, PrintWriter out) throws Exception {
    Options options = given.as(Options.class);
    Path config = workDir(options).resolve("agent.yaml");
    AgentConfig read = AgentConfig.load(config);
    AgentConfig agentConfig = AgentConfig.builder(read.checkpointFile())
        .setFirehoseEndpoint(firehoseEndpoint(options))
        .setKinesisEndpoint(read.kinesisEndpoint())
        .setStatusIntervalMillis(0)
        .setFlows(read.flows())
        .build();
    out.printf("agent: %s with %d flow(s), Firehose API at %s%n", config, read.flows().size(), firehoseEndpoint(options));
    long deadline = System.nanoTime() + options.getTimeoutSeconds() * 1_000_000_000L;
    try (Agent agent = Agent.start(agentConfig, System.err)) {
      while (!caughtUp(agent.status())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the agent did not send every line within " + options.getTimeoutSeconds()
              + " s: " + agent.status().get(0).line());
        }
        Thread.sleep(100);
      }
      for (FlowStatus status : agent.status()) {
        out.println(status.line());
      }
    }
    out.printf("the server delivers them as gzip JSON lines to bucket %s, access/yyyy/MM/dd/HH/%s-1-*.gz "
        + "(freshet server keeps the bucket in <data-dir>/s3/%s/)%n", BUCKET, DELIVERY_STREAM, BUCKET);
  }

  /** Every record read was sent (or skipped) and no file has bytes left to read. */
  static boolean caughtUp(List<FlowStatus> flows) {
    return flows.stream().allMatch(flow -> flow.bytesBehind() == 0 && flow.parsed() > 0
        && flow.sent() + flow.skipped() >= flow.parsed());
  }

  /**
   * Creates the delivery stream (DirectPut, to {@code arn:aws:s3:::logs}) unless it exists; waits
   * until it is ACTIVE. Returns whether it created it.
   */
  public static boolean createDeliveryStream(FirehoseClient firehose, int bufferSeconds) throws InterruptedException {
    boolean created = false;
    try {
      firehose.describeDeliveryStream(b -> b.deliveryStreamName(DELIVERY_STREAM));
    } catch (ResourceNotFoundException e) {
      firehose.createDeliveryStream(b -> b.deliveryStreamName(DELIVERY_STREAM).deliveryStreamType("DirectPut")
          .extendedS3DestinationConfiguration(d -> d.bucketARN("arn:aws:s3:::" + BUCKET)
              .roleARN("arn:aws:iam::000000000000:role/firehose")
              .prefix("access/")
              .errorOutputPrefix("errors/!{firehose:error-output-type}/")
              .compressionFormat(CompressionFormat.GZIP)
              .bufferingHints(h -> h.sizeInMBs(1).intervalInSeconds(bufferSeconds))));
      created = true;
    }
    long deadline = System.currentTimeMillis() + 30_000;
    while (firehose.describeDeliveryStream(b -> b.deliveryStreamName(DELIVERY_STREAM)).deliveryStreamDescription()
        .deliveryStreamStatus() != DeliveryStreamStatus.ACTIVE) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("delivery stream " + DELIVERY_STREAM + " is not ACTIVE after 30 s");
      }
      Thread.sleep(50);
    }
    return created;
  }

  /** A Firehose API client of {@code endpoint} (a freshet server takes any credentials by default). */
  public static FirehoseClient firehose(URI endpoint) {
    return FirehoseClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("freshet", "freshet")))
        .httpClient(ApacheHttpClient.create()).build();
  }

  /** {@code --workDir}, by default a folder of the temporary folder (never the example's own folder). */
  static Path workDir(Options options) {
    String dir = options.getWorkDir() != null ? options.getWorkDir()
        : Path.of(System.getProperty("java.io.tmpdir"), "freshet-log-delivery").toString();
    return Path.of(dir).toAbsolutePath();
  }

  private static URI firehoseEndpoint(Options options) {
    URI endpoint = options.getEndpoint();
    if (endpoint == null || !List.of("http", "https").contains(String.valueOf(endpoint.getScheme()))) {
      throw new IllegalArgumentException("log-delivery sends to the Firehose API of a freshet server: start "
          + "freshet server and give --endpoint=http://localhost:4567, but the endpoint was: " + endpoint);
    }
    return endpoint;
  }
}
