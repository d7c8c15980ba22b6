package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FreshetVersionTest {
  private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

  @TempDir Path dataDir;

  /** The file this build generated holds the pom's version and the commit git names. */
  @Test
  void theBuildRecordsItsVersionAndCommit() {
    Properties build = FreshetVersion.load();
    assertThat(FreshetVersion.version(build)).isEqualTo(System.getProperty("freshet.version"));

    String commit = FreshetVersion.commit(build);
    GitCheckout git = new GitCheckout(Path.of("").toAbsolutePath());
    Optional<String> head = git.head();
    if (head.isEmpty()) {
      assertThat(commit).as("a build without git").isEqualTo(FreshetVersion.UNKNOWN);
    } else if (git.isLinkedWorktree()) {
      assertThat(git.hasCommit(commit)).as("%s is a commit of this repository", commit).isTrue();
    } else {
      assertThat(commit).isEqualTo(head.get());
    }
  }

  @Test
  void versionPrintsVersionCommitAndJava() {
    Cli.Result result = new Cli(dataDir).run("--version");

    assertThat(result.exitCode()).isZero();
    assertThat(result.lines()).hasSize(3);
    assertThat(result.lines().get(0)).isEqualTo("freshet " + System.getProperty("freshet.version"));
    assertThat(result.lines().get(1)).matches("commit ([0-9a-f]{40}( \\(with uncommitted changes\\))?|unknown)");
    assertThat(result.lines().get(2)).startsWith("java " + System.getProperty("java.version"));
  }

  @Test
  void aCleanBuildNamesItsCommit() {
    String[] lines = FreshetVersion.lines(properties("1.2.3", COMMIT, "false"));

    assertThat(lines[0]).isEqualTo("freshet 1.2.3");
    assertThat(lines[1]).isEqualTo("commit " + COMMIT);
  }

  @Test
  void uncommittedChangesAreSaid() {
    assertThat(FreshetVersion.lines(properties("1.2.3", COMMIT, "true"))[1])
        .isEqualTo("commit " + COMMIT + " (with uncommitted changes)");
  }

  /** Without git the build leaves the placeholders as they are. */
  @Test
  void aBuildWithoutGitHasAnUnknownCommit() {
    String[] lines = FreshetVersion.lines(properties("1.2.3", "${git.commit.id.full}", "${git.dirty}"));

    assertThat(lines[0]).isEqualTo("freshet 1.2.3");
    assertThat(lines[1]).isEqualTo("commit unknown");
  }

  @Test
  void classesCompiledOutsideMavenSayUnknown() {
    String[] lines = FreshetVersion.lines(new Properties());

    assertThat(lines[0]).isEqualTo("freshet unknown");
    assertThat(lines[1]).isEqualTo("commit unknown");
  }

  private static Properties properties(String version, String commit, String dirty) {
    Properties properties = new Properties();
    properties.setProperty("version", version);
    properties.setProperty("commit", commit);
    properties.setProperty("dirty", dirty);
    return properties;
  }
}
