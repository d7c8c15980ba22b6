package dev.freshet.runners.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The jars a cluster process runs from, taken from a folder of dependency jars (the distribution's
 * {@code lib}), minus Beam, Freshet and Jackson: those travel in the job jar, as they would to any Flink
 * cluster, so a job that runs here does not depend on what happens to be on the cluster.
 */
public final class ClusterClasspath {
  private ClusterClasspath() {}

  /**
   * Jar names left out of the cluster's classpath. Jackson is left out too: Flink runs on its own
   * shaded copy, and the job brings the one Beam uses. A Jackson module on the cluster's classpath
   * that the job jar lacks (jackson-datatype-joda, which Beam SQL brings into the distribution) is
   * found through {@code ServiceLoader} by the job's own Jackson, and the job fails to start with
   * "JodaModule not a subtype" (the module's {@code Module} comes from another class loader).
   */
  private static final Predicate<String> JOB_SIDE =
      name -> name.startsWith("beam-") || name.startsWith("freshet-") || name.startsWith("jackson-");

  /**
   * The jars in {@code libDir} a job brings to the cluster, the ones its classpath leaves out (Beam,
   * Freshet, Jackson): what a job built in the distribution's own JVM, such as a statement of
   * {@code freshet sql}, stages with it. Empty when the folder does not exist.
   */
  public static List<Path> jobSideJars(Path libDir) {
    if (!Files.isDirectory(libDir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(libDir)) {
      return files
          .filter(path -> path.getFileName().toString().endsWith(".jar"))
          .filter(path -> JOB_SIDE.test(path.getFileName().toString()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the jars in " + libDir, e);
    }
  }

  /**
   * The jars in {@code libDir} the cluster needs.
   *
   * @throws ClusterException when the folder has no Flink runtime in it
   */
  public static List<Path> fromLibFolder(Path libDir) {
    List<Path> jars;
    try (Stream<Path> files = Files.list(libDir)) {
      jars =
          files
              .filter(path -> path.getFileName().toString().endsWith(".jar"))
              .filter(path -> !JOB_SIDE.test(path.getFileName().toString()))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the jars in " + libDir, e);
    }
    if (jars.stream().noneMatch(path -> path.getFileName().toString().startsWith("flink-runtime-"))) {
      throw new ClusterException(
          "no flink-runtime jar in " + libDir + "; build the distribution first (./freshet builds it)");
    }
    return jars;
  }
}
