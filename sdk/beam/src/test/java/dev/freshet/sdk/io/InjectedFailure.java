package dev.freshet.sdk.io;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * One task failure injected into a Flink job that checkpoints to a local folder, for the tests that
 * prove what a restart from a checkpoint does (StreamIO's exactly-once write, Firehose's delivery).
 * A test's DoFn asks {@link #hasFailed()} and {@link #checkpointCompleted()} and throws after
 * {@link #claim()} succeeds; a flag file, created atomically, lets exactly one task of the first
 * attempt throw, and tells every later attempt that the failure happened. Serializable, so it
 * travels inside the DoFn. Shared through freshet-beam's test-jar.
 */
public final class InjectedFailure implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String flag;
  private final String checkpoints;
  private final long sinceCheckpointMillis;

  /**
   * @param flag a file that does not exist yet; it marks the failure
   * @param checkpoints the job's checkpoint folder (Flink writes a {@code _metadata} file per
   *     completed checkpoint under it)
   * @param sinceCheckpoint how old the newest completed checkpoint must be before the failure, so
   *     the task has done work since it that the restart has to redo
   */
  public InjectedFailure(Path flag, Path checkpoints, Duration sinceCheckpoint) {
    checkArgument(!Files.exists(flag), "the failure flag %s exists already", flag);
    checkArgument(!sinceCheckpoint.isNegative(), "sinceCheckpoint %s is negative", sinceCheckpoint);
    this.flag = flag.toString();
    this.checkpoints = checkpoints.toString();
    this.sinceCheckpointMillis = sinceCheckpoint.toMillis();
  }

  /** Whether the failure has happened, in this attempt or an earlier one. */
  public boolean hasFailed() {
    return Files.exists(Path.of(flag));
  }

  /** Whether a checkpoint has completed, the newest at least {@code sinceCheckpoint} ago. */
  public boolean checkpointCompleted() {
    Path folder = Path.of(checkpoints);
    if (!Files.isDirectory(folder)) {
      return false;
    }
    try (Stream<Path> files = Files.walk(folder)) {
      long newest = files.filter(file -> file.getFileName().toString().equals("_metadata"))
          .mapToLong(file -> {
            try {
              return Files.getLastModifiedTime(file).toMillis();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          })
          .max().orElse(Long.MAX_VALUE);
      return System.currentTimeMillis() - newest >= sinceCheckpointMillis;
    } catch (IOException | UncheckedIOException e) {
      // Flink deletes superseded checkpoints while this walks; the caller asks again later.
      return false;
    }
  }

  /**
   * Claims the one failure: true for the first caller of all tasks and attempts, which must then
   * throw; false when another task claimed it first.
   */
  public boolean claim() throws IOException {
    try {
      Files.createFile(Path.of(flag));
      return true;
    } catch (FileAlreadyExistsException otherTaskFailedFirst) {
      return false;
    }
  }
}
