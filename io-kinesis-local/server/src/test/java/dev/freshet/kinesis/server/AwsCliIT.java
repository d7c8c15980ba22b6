package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aws CLI (version 2, the Debian package {@code awscli} that {@code .ci/run} installs) against a
 * server started here: it speaks JSON 1.1 through botocore, a client written independently of the
 * Java SDK, and prints timestamps and blobs in its own way. A missing CLI fails the test; a skipped
 * test would pass CI without ever having run.
 */
class AwsCliIT {
  private static final Instant START = Instant.parse("2024-05-01T12:00:00.250Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final SettableClock clock = new SettableClock(START);
  private LocalStreamStore store;
  private KinesisServer server;
  private Path cli;

  @BeforeEach
  void start() throws Exception {
    cli = findAwsCli();
    store = LocalStreamStore.open(StoreConfig.builder(dir.resolve("data")).setClock(clock).build());
    server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
  }

  /**
   * The Debian package's CLI when installed (what CI runs), else the first {@code aws} on PATH; it
   * must be version 2, since {@code --no-cli-pager} and {@code --cli-binary-format} are v2 options.
   */
  private Path findAwsCli() throws Exception {
    List<Path> candidates = new ArrayList<>();
    String override = System.getProperty("freshet.awsCli");
    if (override != null) {
      if (!Files.isExecutable(Path.of(override))) {
        fail("-Dfreshet.awsCli=" + override + " is not an executable file");
      }
      candidates.add(Path.of(override));
    }
    candidates.add(Path.of("/usr/bin/aws"));
    for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!folder.isEmpty()) {
        candidates.add(Path.of(folder, "aws"));
      }
    }
    for (Path candidate : candidates) {
      if (Files.isExecutable(candidate)) {
        Result version = run(List.of(candidate.toString(), "--version"));
        String text = version.stdout + version.stderr;
        if (!text.startsWith("aws-cli/2.")) {
          fail("The aws CLI at " + candidate + " is not version 2 (it says: " + text.trim() + "). "
              + "Run .ci/run, which installs the Debian package awscli (apt-get install -y awscli), "
              + "or name a v2 CLI with -Dfreshet.awsCli=PATH.");
        }
        return candidate;
      }
    }
    return fail("The aws CLI is not installed (not at /usr/bin/aws, nor on PATH " + System.getenv("PATH")
        + "). Run .ci/run, which installs the Debian package awscli (apt-get install -y awscli).");
  }

  private record Result(int exitCode, String stdout, String stderr) {}

  private Result run(List<String> command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    // Dummy keys and no user configuration: the child must not find real credentials or profiles.
    env.keySet().removeIf(key -> key.startsWith("AWS_"));
    env.put("AWS_ACCESS_KEY_ID", "dummy-key");
    env.put("AWS_SECRET_ACCESS_KEY", "dummy-secret");
    env.put("AWS_CONFIG_FILE", dir.resolve("no-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-credentials").toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_PAGER", "");
    Path out = Files.createTempFile(dir, "aws", ".out");
    Path err = Files.createTempFile(dir, "aws", ".err");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("aws did not finish within 120 s: " + command);
    }
    return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private Result kinesis(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(cli.toString(), "--endpoint-url", server.endpoint().toString(),
        "--region", "us-east-1", "--no-cli-pager", "--output", "json", "kinesis"));
    command.addAll(List.of(args));
    return run(command);
  }

  /** Runs a command that must succeed and returns its JSON output (empty for none). */
  private JsonNode ok(String... args) throws IOException, InterruptedException {
    Result result = kinesis(args);
    assertThat(result.exitCode).as("exit code of aws kinesis %s; stderr: %s", List.of(args), result.stderr)
        .isZero();
    return result.stdout.isBlank() ? JSON.createObjectNode() : JSON.readTree(result.stdout);
  }

  private static Instant timestamp(JsonNode node) {
    assertThat(node.isTextual()).as("timestamp printed as text: %s", node).isTrue();
    return OffsetDateTime.parse(node.textValue()).toInstant();
  }

  @Test
  void createsPutsAndReadsAStream() throws Exception {
    assertThat(ok("create-stream", "--stream-name", "cli", "--shard-count", "2").size()).isZero();

    JsonNode summary = ok("describe-stream-summary", "--stream-name", "cli").get("StreamDescriptionSummary");
    assertThat(summary.get("StreamName").textValue()).isEqualTo("cli");
    assertThat(summary.get("StreamARN").textValue()).isEqualTo("arn:aws:kinesis:us-east-1:000000000000:stream/cli");
    assertThat(summary.get("StreamStatus").textValue()).isEqualTo("ACTIVE");
    assertThat(summary.get("OpenShardCount").intValue()).isEqualTo(2);
    assertThat(summary.get("RetentionPeriodHours").intValue()).isEqualTo(24);
    assertThat(summary.get("StreamModeDetails").get("StreamMode").textValue()).isEqualTo("PROVISIONED");
    assertThat(timestamp(summary.get("StreamCreationTimestamp"))).isEqualTo(START);

    JsonNode shards = ok("list-shards", "--stream-name", "cli").get("Shards");
    assertThat(shards).hasSize(2);
    assertThat(shards.get(0).get("ShardId").textValue()).isEqualTo("shardId-000000000000");
    assertThat(shards.get(0).get("HashKeyRange").get("StartingHashKey").textValue()).isEqualTo("0");
    assertThat(shards.get(1).get("HashKeyRange").get("EndingHashKey").textValue())
        .isEqualTo("340282366920938463463374607431768211455");
    assertThat(shards.get(1).get("SequenceNumberRange").get("StartingSequenceNumber").textValue()).matches("\\d+");

    clock.advance(Duration.ofSeconds(1));
    JsonNode put = ok("put-record", "--stream-name", "cli", "--partition-key", "user-1",
        "--cli-binary-format", "raw-in-base64-out", "--data", "hello from the cli");
    String shardId = put.get("ShardId").textValue();
    assertThat(shardId).startsWith("shardId-");
    String sequenceNumber = put.get("SequenceNumber").textValue();

    String iterator = ok("get-shard-iterator", "--stream-name", "cli", "--shard-id", shardId,
        "--shard-iterator-type", "TRIM_HORIZON").get("ShardIterator").textValue();
    JsonNode records = ok("get-records", "--shard-iterator", iterator);
    assertThat(records.get("Records")).hasSize(1);
    JsonNode record = records.get("Records").get(0);
    assertThat(new String(Base64.getDecoder().decode(record.get("Data").textValue()), StandardCharsets.UTF_8))
        .isEqualTo("hello from the cli");
    assertThat(record.get("PartitionKey").textValue()).isEqualTo("user-1");
    assertThat(record.get("SequenceNumber").textValue()).isEqualTo(sequenceNumber);
    assertThat(timestamp(record.get("ApproximateArrivalTimestamp"))).isEqualTo(START.plusSeconds(1));
    assertThat(records.get("MillisBehindLatest").longValue()).isZero();
    assertThat(records.get("NextShardIterator").textValue()).isNotEmpty();

    // The CLI sends a timestamp argument as whole epoch seconds (botocore's unixtimestamp
    // serializer drops the fraction), so the millisecond checks are KinesisApiIT's.
    assertThat(readAt(shardId, "2024-05-01T12:00:01Z")).hasSize(1);
    assertThat(readAt(shardId, "2024-05-01T12:00:02Z")).isEmpty();
  }

  private JsonNode readAt(String shardId, String timestamp) throws IOException, InterruptedException {
    String iterator = ok("get-shard-iterator", "--stream-name", "cli", "--shard-id", shardId,
        "--shard-iterator-type", "AT_TIMESTAMP", "--timestamp", timestamp).get("ShardIterator").textValue();
    return ok("get-records", "--shard-iterator", iterator).get("Records");
  }

  @Test
  void printsTheServiceErrorAndFails() throws Exception {
    Result result = kinesis("describe-stream-summary", "--stream-name", "missing");
    assertThat(result.exitCode).as("exit code; stderr: %s", result.stderr).isNotZero();
    assertThat(result.stderr).contains("ResourceNotFoundException").contains("missing");
  }
}
