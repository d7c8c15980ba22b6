package dev.freshet.kinesis.firehose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aws CLI (version 2, Debian's {@code awscli}, which {@code .ci/run} installs), unchanged but
 * for {@code --endpoint-url}: {@code aws firehose} against the server's port and {@code aws s3}
 * against its S3 API. A missing CLI fails the test.
 */
class FirehoseAwsCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private FirehoseFixture fixture;
  private String cli;

  @BeforeEach
  void start() throws Exception {
    cli = findAwsCli();
    fixture = FirehoseFixture.start(dir.resolve("data"), true);
  }

  @AfterEach
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  private String findAwsCli() throws Exception {
    List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/bin/aws")));
    for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!folder.isEmpty()) {
        candidates.add(Path.of(folder, "aws"));
      }
    }
    for (Path candidate : candidates) {
      if (Files.isExecutable(candidate)) {
        Result version = run(List.of(candidate.toString(), "--version"));
        if ((version.stdout + version.stderr).startsWith("aws-cli/2.")) {
          return candidate.toString();
        }
      }
    }
    return fail("No aws CLI version 2 found (at /usr/bin/aws or on PATH). Run .ci/run, which installs the Debian "
        + "package awscli.");
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

  private Result aws(String endpoint, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(cli, "--endpoint-url", endpoint, "--region", "us-east-1",
        "--no-cli-pager", "--output", "json"));
    command.addAll(List.of(args));
    return run(command);
  }

  private JsonNode firehose(String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("firehose"));
    all.addAll(List.of(args));
    Result result = aws(fixture.server.endpoint().toString(), all.toArray(String[]::new));
    assertThat(result.exitCode).as("aws firehose %s; stderr: %s", List.of(args), result.stderr).isZero();
    return result.stdout.isBlank() ? JSON.createObjectNode() : JSON.readTree(result.stdout);
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
        Result ls = aws(s3, "s3", "ls", "s3://cli-bucket", "--recursive");
        for (String line : ls.stdout.split("\n")) {
          if (line.isBlank()) {
            continue;
          }
          String key = line.substring(line.lastIndexOf(' ') + 1);
          assertThat(key).startsWith("logs/").contains("/cli-stream-1-");
          contents.append(aws(s3, "s3", "cp", "s3://cli-bucket/" + key, "-").stdout);
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

    Result missing = aws(fixture.server.endpoint().toString(), "firehose", "describe-delivery-stream",
        "--delivery-stream-name", "nope");
    assertThat(missing.exitCode).isNotZero();
    assertThat(missing.stderr).contains("ResourceNotFoundException").contains("nope");
    firehose("delete-delivery-stream", "--delivery-stream-name", "cli-stream");
    assertThat(firehose("list-delivery-streams").get("DeliveryStreamNames")).isEmpty();
  }
}
