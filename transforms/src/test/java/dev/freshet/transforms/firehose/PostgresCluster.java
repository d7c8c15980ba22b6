package dev.freshet.transforms.firehose;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster for tests: initdb into a temporary folder, started with pg_ctl on
 * a free loopback port with its unix sockets in that folder, trust authentication, fsync off, and
 * removed again by {@link #close()}. initdb refuses to run as root, so as root the server runs as
 * the {@code postgres} OS user (through runuser), and the folder is opened to it.
 *
 * <p>Missing binaries are a failure, not a reason to skip: {@code .ci/run} installs them. Public, and
 * in this module's test jar, for the Firehose service's Redshift tests.
 */
public final class PostgresCluster implements AutoCloseable {
  private final Path folder;
  private final Path bin;
  private final boolean asPostgresUser;
  private final int port;

  private PostgresCluster(Path folder, Path bin, boolean asPostgresUser, int port) {
    this.folder = folder;
    this.bin = bin;
    this.asPostgresUser = asPostgresUser;
    this.port = port;
  }

  /** Creates and starts a cluster; fails with a message saying what is missing. */
  public static PostgresCluster start() throws IOException, InterruptedException {
    Path bin = findBinaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root && run(List.of("id", "-u", "postgres"), null) != 0) {
      throw new IllegalStateException("running as root, but there is no 'postgres' OS user to run the PostgreSQL "
          + "server as (initdb refuses root); install the postgresql package, which creates it");
    }
    Path folder = Files.createTempDirectory("freshet-pg-");
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path sockets = Files.createDirectory(folder.resolve("sockets"));
    Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString("rwxrwxrwx"));
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    PostgresCluster cluster = new PostgresCluster(folder, bin, root, port);
    try {
      cluster.pg(List.of(bin.resolve("initdb").toString(), "-D", folder.resolve("data").toString(), "-U", "freshet",
          "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"), "initdb");
      cluster.pg(List.of(bin.resolve("pg_ctl").toString(), "-D", folder.resolve("data").toString(),
          "-l", folder.resolve("server.log").toString(), "-w", "-t", "120", "-o",
          "-p " + port + " -k " + sockets + " -c listen_addresses=127.0.0.1 -c fsync=off"
              + " -c synchronous_commit=off -c full_page_writes=off", "start"), "pg_ctl start");
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** initdb and pg_ctl: from /usr/lib/postgresql/<newest>/bin, else from the PATH. */
  private static Path findBinaries() {
    List<Path> candidates = new ArrayList<>();
    Path versions = Paths.get("/usr/lib/postgresql");
    if (Files.isDirectory(versions)) {
      try (Stream<Path> dirs = Files.list(versions)) {
        dirs.map(v -> v.resolve("bin"))
            .sorted(Comparator.comparing((Path p) -> p.getParent().getFileName().toString(),
                Comparator.comparingInt(v -> v.matches("\\d+") ? Integer.parseInt(v) : 0)).reversed())
            .forEach(candidates::add);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty()) {
        candidates.add(Paths.get(dir));
      }
    }
    for (Path dir : candidates) {
      if (Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_ctl"))) {
        return dir;
      }
    }
    throw new IllegalStateException("PostgreSQL server binaries (initdb, pg_ctl) were found neither in "
        + "/usr/lib/postgresql/<version>/bin nor on the PATH. This test needs a real PostgreSQL: install it with "
        + "'apt-get install -y postgresql' (.ci/run does).");
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=freshet";
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl());
  }

  public void execute(String sql) throws SQLException {
    try (Connection c = connect(); java.sql.Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private void pg(List<String> command, String what) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asPostgresUser) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    Path log = folder.resolve(what.replace(' ', '-') + ".out");
    int exit = run(full, log);
    if (exit != 0) {
      String output = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      Path serverLog = folder.resolve("server.log");
      if (Files.exists(serverLog)) {
        output += "\n--- server.log ---\n" + Files.readString(serverLog, StandardCharsets.UTF_8);
      }
      throw new IllegalStateException(what + " failed with exit code " + exit + ": " + full + "\n" + output);
    }
  }

  private static int run(List<String> command, Path log) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (log == null) {
      builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    } else {
      builder.redirectOutput(log.toFile());
    }
    Process process = builder.start();
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException(command + " did not finish within 3 minutes");
    }
    return process.exitValue();
  }

  @Override
  public void close() throws IOException {
    try {
      if (Files.exists(folder.resolve("data/postmaster.pid"))) {
        pg(List.of(bin.resolve("pg_ctl").toString(), "-D", folder.resolve("data").toString(), "-m", "immediate",
            "-w", "stop"), "pg_ctl stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping PostgreSQL in " + folder, e);
    } finally {
      try (Stream<Path> files = Files.walk(folder)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
