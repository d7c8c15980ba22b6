package dev.freshet.runners.cluster;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * One process of the cluster, as recorded in the cluster folder. The start instant guards against
 * pid reuse: a live process with the same pid but another start time is not ours.
 *
 * @param role {@code jobmanager} or {@code taskmanager-N}
 * @param mainClass the entry point, also checked against the process's command line
 */
public record ClusterProcess(
    String role, long pid, Instant started, String mainClass, Path log) {

  /** The live process, if it is still the one we started. */
  public Optional<ProcessHandle> handle() {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(h -> h.info().startInstant().map(this::sameStart).orElse(true))
        .filter(h -> h.info().commandLine().map(c -> c.contains(mainClass)).orElse(true));
  }

  public boolean isAlive() {
    return handle().isPresent();
  }

  /** /proc gives start times to 10 ms; what we recorded came from the same place. */
  private boolean sameStart(Instant other) {
    return Math.abs(other.toEpochMilli() - started.toEpochMilli()) < 1000;
  }
}
