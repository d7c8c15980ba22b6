package dev.freshet.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What git says about the source tree the tests run in, to check the commit a build recorded. Empty
 * answers when there is no git or no repository (a build from a source archive).
 */
final class GitCheckout {
  private final Path dir;

  GitCheckout(Path dir) {
    this.dir = dir;
  }

  /** {@code git rev-parse HEAD}, or empty outside a repository or without git. */
  Optional<String> head() {
    return git("rev-parse", "HEAD");
  }

  /**
   * True in a linked worktree ({@code git worktree add}). There the build's git-commit-id plugin
   * reads the main worktree's HEAD (its issue #882), so only "a commit of this repository" can be
   * checked, not "this checkout's HEAD".
   */
  boolean isLinkedWorktree() {
    Optional<String> gitDir = git("rev-parse", "--absolute-git-dir");
    Optional<String> commonDir = git("rev-parse", "--path-format=absolute", "--git-common-dir");
    return gitDir.isPresent() && commonDir.isPresent() && !gitDir.equals(commonDir);
  }

  /** True when {@code commit} names a commit of this repository. */
  boolean hasCommit(String commit) {
    return git("cat-file", "-t", commit).filter("commit"::equals).isPresent();
  }

  private Optional<String> git(String... args) {
    List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.empty();
      }
      return process.exitValue() == 0 ? Optional.of(out) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty(); // no git on this machine
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
