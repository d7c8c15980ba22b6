package dev.freshet.kinesis.server;

import static com.google.common.base.Preconditions.checkArgument;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The aws CLI (version 2, the Debian package {@code awscli} that {@code .ci/run} installs) run as a
 * child process against a Freshet endpoint, for the tests of every service on the server's port
 * (Kinesis, Firehose, S3, Kinesis Video). The child gets dummy keys and no user configuration, so it
 * can never find real credentials or profiles. A missing or version 1 CLI fails the test with what
 * to install: a skipped test would pass CI without ever having run.
 *
 * <p>The CLI is looked for at {@code -Dfreshet.awsCli=PATH}, then {@code /usr/bin/aws}, then on
 * {@code PATH}. Shared through this module's test-jar.
 */
public final class AwsCli {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_SECONDS = 120;

  /** What one run of the CLI printed and how it exited. */
  public record Result(int exitCode, String stdout, String stderr) {}

  private final Path executable;
  private final Path scratch;

  private AwsCli(Path executable, Path scratch) {
    this.executable = executable;
    this.scratch = scratch;
  }

  /**
   * Finds a version 2 CLI, or fails the calling test saying how to get one.
   *
   * @param scratch an existing folder (a test's {@code @TempDir}) for the child's output files and
   *     its empty configuration paths
   */
  public static AwsCli find(Path scratch) throws IOException, InterruptedException {
    checkArgument(Files.isDirectory(scratch), "scratch folder %s does not exist", scratch);
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
        AwsCli cli = new AwsCli(candidate, scratch);
        Result version = cli.runCommand(List.of(candidate.toString(), "--version"));
        String text = version.stdout() + version.stderr();
        if (!text.startsWith("aws-cli/2.")) {
          fail("The aws CLI at " + candidate + " is not version 2 (it says: " + text.trim() + "). "
              + "Run .ci/run, which installs the Debian package awscli (apt-get install -y awscli), "
              + "or name a v2 CLI with -Dfreshet.awsCli=PATH.");
        }
        return cli;
      }
    }
    return fail("The aws CLI is not installed (not at /usr/bin/aws, nor on PATH " + System.getenv("PATH")
        + "). Run .ci/run, which installs the Debian package awscli (apt-get install -y awscli).");
  }

  /** The CLI's executable. */
  public Path executable() {
    return executable;
  }

  /**
   * Runs {@code aws --endpoint-url ENDPOINT --region us-east-1 --no-cli-pager --output json ARGS…}
   * and returns what it printed, whatever its exit code.
   */
  public Result run(String endpoint, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(executable.toString(), "--endpoint-url", endpoint,
        "--region", "us-east-1", "--no-cli-pager", "--output", "json"));
    command.addAll(List.of(args));
    return runCommand(command);
  }

  /**
   * Runs a command that must exit 0 and returns its JSON output (an empty object when it printed
   * nothing); the assertion message names the command and the CLI's stderr.
   */
  public JsonNode ok(String endpoint, String... args) throws IOException, InterruptedException {
    Result result = run(endpoint, args);
    assertThat(result.exitCode()).as("exit code of aws %s; stderr: %s", List.of(args), result.stderr()).isZero();
    return result.stdout().isBlank() ? JSON.createObjectNode() : JSON.readTree(result.stdout());
  }

  private Result runCommand(List<String> command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(key -> key.startsWith("AWS_"));
    env.put("AWS_ACCESS_KEY_ID", "dummy-key");
    env.put("AWS_SECRET_ACCESS_KEY", "dummy-secret");
    env.put("AWS_CONFIG_FILE", scratch.resolve("no-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", scratch.resolve("no-credentials").toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_PAGER", "");
    Path out = Files.createTempFile(scratch, "aws", ".out");
    Path err = Files.createTempFile(scratch, "aws", ".err");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("aws did not finish within " + TIMEOUT_SECONDS + " s: " + command);
    }
    return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
