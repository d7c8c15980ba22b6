package dev.freshet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** Keeps a test cluster's logs in {@code target/} once its data folder is about to be deleted. */
final class ClusterLogs {
  private ClusterLogs() {}

  /** Copies {@code DATA/flink/log} to {@code target/TEST-cluster-logs}, replacing an older copy. */
  static void keep(Path dataDir, String test) throws IOException {
    Path logs = dataDir.resolve("flink").resolve("log");
    if (!Files.isDirectory(logs)) {
      return;
    }
    Path kept = Files.createDirectories(Path.of("target", test + "-cluster-logs"));
    try (Stream<Path> files = Files.list(logs)) {
      for (Path file : files.toList()) {
        Files.copy(file, kept.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
