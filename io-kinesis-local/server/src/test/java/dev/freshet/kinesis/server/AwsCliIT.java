package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ObjectArrays;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aws CLI (version 2, the Debian package {@code awscli} that {@code .ci/run} installs) against a
 * server started here: it speaks JSON 1.1 through botocore, a client written independently of the
 * Java SDK, and prints timestamps and blobs in its own way. A missing CLI fails the test; a skipped
 * test would pass CI without ever having run ({@link AwsCli}).
 */
class AwsCliIT {
  private static final Instant START = Instant.parse("2024-05-01T12:00:00.250Z");

  @TempDir Path dir;
  private final SettableClock clock = new SettableClock(START);
  private LocalStreamStore store;
  private KinesisServer server;
  private AwsCli cli;

  @BeforeEach
  void start() throws Exception {
    cli = AwsCli.find(dir);
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

  private AwsCli.Result kinesis(String... args) throws IOException, InterruptedException {
    return cli.run(server.endpoint().toString(), ObjectArrays.concat("kinesis", args));
  }

  /** Runs a command that must succeed and returns its JSON output (empty for none). */
  private JsonNode ok(String... args) throws IOException, InterruptedException {
    return cli.ok(server.endpoint().toString(), ObjectArrays.concat("kinesis", args));
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
    AwsCli.Result result = kinesis("describe-stream-summary", "--stream-name", "missing");
    assertThat(result.exitCode()).as("exit code; stderr: %s", result.stderr()).isNotZero();
    assertThat(result.stderr()).contains("ResourceNotFoundException").contains("missing");
  }
}
