package dev.freshet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * What {@code freshet --version} prints: the version and the commit this build was made from, read
 * from {@code freshet-version.properties} beside this class. The build fills that file in (see
 * cli/pom.xml): the version from the pom, the commit and whether the tree had uncommitted changes
 * from git. A build without git (from a source archive) leaves the commit out, and it is printed
 * as {@code unknown}.
 */
final class FreshetVersion implements CommandLine.IVersionProvider {
  static final String RESOURCE = "freshet-version.properties";
  static final String UNKNOWN = "unknown";

  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  @Override
  public String[] getVersion() {
    return lines(load());
  }

  /** The version, the commit and the Java runtime, one per line. */
  static String[] lines(Properties build) {
    String commit = commit(build);
    boolean dirty = !commit.equals(UNKNOWN) && "true".equals(build.getProperty("dirty"));
    return new String[] {
      "freshet " + version(build),
      "commit " + commit + (dirty ? " (with uncommitted changes)" : ""),
      String.format("java %s (%s), %s %s", System.getProperty("java.version"),
          System.getProperty("java.vendor"), System.getProperty("os.name"), System.getProperty("os.arch"))
    };
  }

  /** The project version, or {@code unknown} when the file was not filled in. */
  static String version(Properties build) {
    String version = build.getProperty("version", "").trim();
    return version.isEmpty() || version.startsWith("${") ? UNKNOWN : version;
  }

  /** The full commit id, or {@code unknown} for a build made without git. */
  static String commit(Properties build) {
    String commit = build.getProperty("commit", "").trim();
    return COMMIT.matcher(commit).matches() ? commit : UNKNOWN;
  }

  /** The build's properties; empty when the file is missing (classes compiled outside Maven). */
  static Properties load() {
    Properties build = new Properties();
    try (InputStream in = FreshetVersion.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        build.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    return build;
  }
}
