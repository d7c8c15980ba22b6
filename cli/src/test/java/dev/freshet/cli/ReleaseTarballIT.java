package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.runners.cluster.FlinkCluster;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The release tarball as a user gets it: {@code target/freshet-<version>.tar.gz}, made by {@code
 * mvn package}, unpacked with {@code tar} into a temporary folder and run through its own {@code
 * bin/freshet} from there. The processes get a bare environment: no Maven on {@code PATH} (which
 * holds only the few tools the launcher uses), no {@code MAVEN_HOME} or {@code M2_HOME}, a {@code
 * HOME} without {@code ~/.m2}, Java only through {@code JAVA_HOME}, and a working folder outside
 * the source tree. The server's open jar files and command line then show that nothing of the
 * source tree is used.
 */
class ReleaseTarballIT {
  private static final String VERSION = System.getProperty("freshet.version");
  /** The source tree: the tests run in cli/. */
  private static final Path REPO = Path.of("").toAbsolutePath().getParent();
  private static final String READY = "freshet server listening on ";

  @TempDir static Path temp;
  private static Path home;
  private static Path tools;
  private static Path work;

  @BeforeAll
  static void unpack() throws Exception {
    Path tarball = Path.of("target", "freshet-" + VERSION + ".tar.gz").toAbsolutePath();
    assertThat(tarball).as("the release tarball, made by mvn package (without -Dassembly.skipAssembly)")
        .isRegularFile();
    assertThat(temp.toRealPath().startsWith(REPO.toRealPath()))
        .as("the temporary folder %s is outside the source tree", temp).isFalse();
    Path unpacked = Files.createDirectory(temp.resolve("unpacked"));
    Result tar = run(new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", unpacked.toString()),
        Duration.ofMinutes(3));
    assertThat(tar.exitCode()).as(tar.err()).isZero();
    home = unpacked.resolve("freshet-" + VERSION).toRealPath();
    work = Files.createDirectory(temp.resolve("work"));
    tools = Files.createDirectory(temp.resolve("tools"));
    // What bin/freshet calls besides shell builtins and java; mvn is not among them.
    for (String tool : List.of("sed", "readlink")) {
      Files.createSymbolicLink(tools.resolve(tool), onPath(tool));
    }
  }

  @Test
  void theTarballHasTheLauncherTheDistributionTheDocsAndTheExamples() throws IOException {
    assertThat(home.resolve("bin/freshet")).isExecutable();
    assertThat(home.resolve("lib/freshet-cli.jar")).isRegularFile();
    assertThat(home.resolve("lib/freshet-job.jar")).as("the job jar freshet run submits to clusters")
        .isRegularFile();
    assertThat(home.resolve("lib/lib")).isDirectoryContaining(path ->
        path.getFileName().toString().startsWith("flink-runtime-"));
    assertThat(home.resolve("docs/getting-started.md")).isRegularFile();
    assertThat(home.resolve("README.md")).isRegularFile();
    assertThat(home.resolve("examples")).isDirectory();
    try (Stream<Path> files = Files.walk(home.resolve("examples"))) {
      assertThat(files.map(home::relativize).map(Path::toString))
          .as("the examples without their sources and build output")
          .noneMatch(name -> name.endsWith(".java") || name.endsWith("pom.xml") || name.contains("target/"));
    }
  }

  @Test
  void versionNamesTheVersionAndTheCommit() throws Exception {
    // Also through a symbolic link in another folder, as when bin/freshet is linked into ~/bin.
    Path links = Files.createDirectories(temp.resolve("links"));
    Path link = links.resolve("freshet");
    if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
      Files.createSymbolicLink(link, home.resolve("bin/freshet"));
    }
    for (Path launcher : List.of(home.resolve("bin/freshet"), link)) {
      Result version = freshet(launcher, Duration.ofMinutes(1), "--version");

      assertThat(version.exitCode()).as(version.err()).isZero();
      List<String> lines = version.out().lines().toList();
      assertThat(lines.get(0)).isEqualTo("freshet " + VERSION);
      GitCheckout git = new GitCheckout(REPO);
      Optional<String> head = git.head();
      if (head.isEmpty()) {
        assertThat(lines.get(1)).as("built without git").isEqualTo("commit unknown");
      } else {
        Matcher commit = Pattern.compile("commit ([0-9a-f]{40})( \\(with uncommitted changes\\))?")
            .matcher(lines.get(1));
        assertThat(commit.matches()).as(lines.get(1)).isTrue();
        if (git.isLinkedWorktree()) {
          assertThat(git.hasCommit(commit.group(1))).isTrue();
        } else {
          assertThat(commit.group(1)).isEqualTo(head.get());
        }
      }
    }
  }

  @Test
  void theLauncherRefusesJavaOlderThan17() throws Exception {
    Path oldJava = Files.createDirectories(temp.resolve("old-java/bin"));
    Path java = oldJava.resolve("java");
    Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n");
    assertThat(java.toFile().setExecutable(true)).isTrue();
    ProcessBuilder builder = launcher(home.resolve("bin/freshet"), "--version");
    builder.environment().put("JAVA_HOME", oldJava.getParent().toString());

    Result result = run(builder, Duration.ofMinutes(1));

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("Freshet needs Java 17 or newer", "is Java 11.0.2", "JAVA_HOME");
  }

  @Test
  void demoReadsEveryEventItWrote() throws Exception {
    Result demo = freshet(home.resolve("bin/freshet"), Duration.ofMinutes(4),
        "demo", "--seconds", "3", "--data-dir", work.resolve("demo").toString());

    assertThat(demo.exitCode()).as(demo.err()).isZero();
    Matcher summary = Pattern.compile("pipeline read (\\S+) of (\\S+) click events").matcher(demo.out());
    assertThat(summary.find()).as(demo.out()).isTrue();
    assertThat(summary.group(1)).as("events read").isEqualTo(summary.group(2));
    // Production starts at once (it no longer waits for the pipeline), so 3 s write something.
    assertThat(summary.group(2)).as("events written").isNotEqualTo("0");
    assertThat(demo.out()).as("the demo's Firehose objects are named in its summary").contains(".gz");
  }

  @Test
  void serverAnswersTheAwsSdkAndUsesNothingOfTheSourceTree() throws Exception {
    Path out = temp.resolve("server.out");
    Path err = temp.resolve("server.err");
    ProcessBuilder builder = launcher(home.resolve("bin/freshet"),
        "server", "--port", "0", "--data-dir", work.resolve("server").toString());
    Process server = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      URI endpoint = awaitReady(server, out, err);

      // bin/freshet execs java, so the process is the JVM itself.
      List<String> commandLine = server.info().arguments().map(List::of).orElseThrow();
      assertThat(commandLine).contains(home.resolve("lib/freshet-cli.jar").toString())
          .noneMatch(argument -> argument.contains(REPO.toString()));
      List<Path> jars = openJars(server.pid());
      assertThat(jars).as("the jars the server has open").hasSizeGreaterThan(50)
          .allMatch(jar -> jar.startsWith(home), "are in the unpacked tarball");

      try (KinesisClient kinesis = KinesisClient.builder()
          .endpointOverride(endpoint)
          .region(Region.US_EAST_1)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
          .httpClient(ApacheHttpClient.create())
          .build()) {
        kinesis.createStream(request -> request.streamName("from-the-tarball").shardCount(2));
        assertThat(kinesis.listStreams(request -> { }).streamNames()).contains("from-the-tarball");
      }

      assertThat(server.toHandle().destroy()).isTrue(); // SIGTERM: a clean stop
      assertThat(server.waitFor(90, TimeUnit.SECONDS)).as("stopped within 90 s").isTrue();
      assertThat(server.exitValue()).as(Files.readString(err)).isZero();
      assertThat(Files.readString(out)).contains("freshet server stopped");
    } finally {
      if (server.isAlive()) {
        server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * {@code freshet flink start} finds its jars in the tarball's {@code lib/lib}: the same rule
   * (FlinkCommand.libFolder) that gives {@code freshet run} the job jar {@code lib/freshet-job.jar}.
   */
  @Test
  void aFlinkClusterStartsFromTheTarball() throws Exception {
    Path dataDir = work.resolve("flink");
    int[] ports = LocalClusterFixture.twoFreePorts();
    try {
      Result start = freshet(home.resolve("bin/freshet"), Duration.ofMinutes(4),
          "flink", "start", "--taskmanagers", "1", "--slots", "1", "--rest-port", String.valueOf(ports[0]),
          "--rpc-port", String.valueOf(ports[1]), "--data-dir", dataDir.toString());
      assertThat(start.exitCode()).as(start.out() + start.err()).isZero();
      assertThat(start.out()).contains("Flink cluster started", "1 TaskManagers");

      String classpath = Files.readString(dataDir.resolve("flink/conf/classpath.args"));
      assertThat(classpath).contains(home.resolve("lib/lib").toString() + "/flink-runtime-")
          .doesNotContain(REPO.toString());

      Result status = freshet(home.resolve("bin/freshet"), Duration.ofMinutes(1),
          "flink", "status", "--data-dir", dataDir.toString());
      assertThat(status.exitCode()).as(status.err()).isZero();
      assertThat(status.out()).contains("1 TaskManagers, 1 slots");

      Result stop = freshet(home.resolve("bin/freshet"), Duration.ofMinutes(2),
          "flink", "stop", "--data-dir", dataDir.toString());
      assertThat(stop.exitCode()).as(stop.err()).isZero();
    } finally {
      FlinkCluster.find(dataDir.toAbsolutePath().normalize())
          .ifPresent(cluster -> cluster.stop(Duration.ofSeconds(10)));
    }
  }

  private record Result(int exitCode, String out, String err) {}

  /** Runs {@code launcher ARGS} in the bare environment and waits for it. */
  private static Result freshet(Path launcher, Duration timeout, String... args) throws Exception {
    return run(launcher(launcher, args), timeout);
  }

  /**
   * {@code launcher ARGS} in the working folder, with nothing of the build's environment: Java
   * through JAVA_HOME, PATH with only the launcher's tools, an empty HOME.
   */
  private static ProcessBuilder launcher(Path launcher, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(launcher.toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
    Map<String, String> environment = builder.environment();
    environment.clear();
    environment.put("PATH", tools.toString());
    environment.put("JAVA_HOME", System.getProperty("java.home"));
    environment.put("HOME", Files.createDirectories(temp.resolve("home")).toString());
    environment.put("LANG", "C.UTF-8");
    return builder;
  }

  private static Result run(ProcessBuilder builder, Duration timeout) throws Exception {
    Path out = Files.createTempFile(temp, "out", ".txt");
    Path err = Files.createTempFile(temp, "err", ".txt");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    process.getOutputStream().close();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      throw new AssertionError(builder.command() + " did not end within " + timeout + "; stdout:\n"
          + Files.readString(out) + "\nstderr:\n" + Files.readString(err));
    }
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** The server's endpoint from its ready line; fails when it exits or takes over a minute. */
  private static URI awaitReady(Process server, Path out, Path err) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (System.nanoTime() < deadline) {
      Optional<String> ready = Files.readString(out, StandardCharsets.UTF_8).lines()
          .filter(line -> line.startsWith(READY)).findFirst();
      if (ready.isPresent()) {
        String line = ready.get();
        return URI.create(line.substring(READY.length(), line.indexOf(' ', READY.length())));
      }
      if (!server.isAlive()) {
        break;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("freshet server printed no ready line; stdout:\n" + Files.readString(out)
        + "\nstderr:\n" + Files.readString(err));
  }

  /** The jar files process {@code pid} has open, from {@code /proc/PID/fd}. */
  private static List<Path> openJars(long pid) throws IOException {
    List<Path> jars = new ArrayList<>();
    try (Stream<Path> descriptors = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
      for (Path descriptor : descriptors.toList()) {
        try {
          Path target = Files.readSymbolicLink(descriptor);
          if (target.toString().endsWith(".jar")) {
            jars.add(target);
          }
        } catch (IOException closedMeanwhile) {
          // A descriptor closed between the listing and the read: not a jar of the classpath.
        }
      }
    }
    return jars;
  }

  /** {@code tool}'s path from this JVM's PATH. */
  private static Path onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path candidate = Path.of(dir, tool);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(tool + " is not on PATH");
  }
}
