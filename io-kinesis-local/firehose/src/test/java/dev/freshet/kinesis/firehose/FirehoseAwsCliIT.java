package dev.freshet.kinesis.firehose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ObjectArrays;
import dev.freshet.kinesis.server.AwsCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aws CLI (version 2, Debian's {@code awscli}, which {@code .ci/run} installs), unchanged but
 * for {@code --endpoint-url}: {@code aws firehose} against the server's port and {@code aws s3}
 * against its S3 API. A missing CLI fails the test ({@link AwsCli}).
 */
class FirehoseAwsCliIT {

  @TempDir Path dir;
  private FirehoseFixture fixture;
  private AwsCli cli;

  @BeforeEach
  void start() throws Exception {
    cli = AwsCli.find(dir);
    fixture = FirehoseFixture.start(dir.resolve("data"), true);
  }

  @AfterEach
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  private JsonNode firehose(String... args) throws IOException, InterruptedException {
    return cli.ok(fixture.server.endpoint().toString(), ObjectArrays.concat("firehose", args));
  }

  @Test
  void createPutDescribeWithTheCliAndListTheObjectsWithAwsS3() throws Exception {
    String arn = firehose("create-delivery-stream", "--delivery-stream-name", "cli-stream",
        "--delivery-stream-type", "DirectPut", "--extended-s3-destination-configuration",
        "{\"RoleARN\":\"arn:aws:iam::000000000000:role/firehose\",\"BucketARN\":\"arn:aws:s3:::cli-bucket\","
            + "\"Prefix\":\"logs/\",\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":60},"
            + "\"CompressionFormat\":\"UNCOMPRESSED\",\"ProcessingConfiguration\":{\"Enabled\":true,"
            + "\"Processors\":[{\"Type\":\"AppendDelimiterToRecord\"}]}}").get("DeliveryStreamARN").textValue();
    assertThat(arn).isEqualTo("arn:aws:firehose:us-east-1:000000000000:deliverystream/cli-stream");
    fixture.awaitActive("cli-stream");
    JsonNode description = firehose("describe-delivery-stream", "--delivery-stream-name", "cli-stream")
        .get("DeliveryStreamDescription");
    assertThat(description.get("DeliveryStreamStatus").textValue()).isEqualTo("ACTIVE");
    assertThat(description.get("Destinations").get(0).get("ExtendedS3DestinationDescription").get("BucketARN")
        .textValue()).isEqualTo("arn:aws:s3:::cli-bucket");
    assertThat(firehose("list-delivery-streams").get("DeliveryStreamNames").get(0).textValue()).isEqualTo("cli-stream");

    // The CLI allows no interval under 60 s: 1 MiB of records (the size hint) makes the delivery instead.
    String padding = "-".repeat(400_000);
    firehose("put-record", "--delivery-stream-name", "cli-stream", "--cli-binary-format", "raw-in-base64-out",
        "--record", "{\"Data\":\"one\"}");
    Path records = dir.resolve("records.json");
    Files.writeString(records, "[{\"Data\":\"two" + padding + "\"},{\"Data\":\"three" + padding + "\"},"
        + "{\"Data\":\"four" + padding + "\"}]");
    JsonNode put = firehose("put-record-batch", "--delivery-stream-name", "cli-stream", "--cli-binary-format",
        "raw-in-base64-out", "--records", "file://" + records);
    assertThat(put.get("FailedPutCount").intValue()).isZero();
    assertThat(put.get("RequestResponses")).hasSize(3);

    String s3 = fixture.s3.orElseThrow().endpoint().toString();
    StringBuilder contents = new StringBuilder();
    FirehoseFixture.await(() -> {
      try {
        contents.setLength(0);
        AwsCli.Result ls = cli.run(s3, "s3", "ls", "s3://cli-bucket", "--recursive");
        for (String line : ls.stdout().split("\n")) {
          if (line.isBlank()) {
            continue;
          }
          String key = line.substring(line.lastIndexOf(' ') + 1);
          assertThat(key).startsWith("logs/").contains("/cli-stream-1-");
          contents.append(cli.run(s3, "s3", "cp", "s3://cli-bucket/" + key, "-").stdout());
        }
        return contents.toString().split("\n").length >= 4;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }, "four records listed by aws s3 ls");
    assertThat(Arrays.stream(contents.toString().split("\n")).map(line -> line.replace("-", "")))
        .containsExactlyInAnyOrder("one", "two", "three", "four");

    AwsCli.Result missing = cli.run(fixture.server.endpoint().toString(), "firehose", "describe-delivery-stream",
        "--delivery-stream-name", "nope");
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.stderr()).contains("ResourceNotFoundException").contains("nope");
    firehose("delete-delivery-stream", "--delivery-stream-name", "cli-stream");
    assertThat(firehose("list-delivery-streams").get("DeliveryStreamNames")).isEmpty();
  }
}
