package dev.freshet.cli;

import dev.freshet.runners.cluster.ClusterException;
import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Polls a condition until it holds or a generous timeout passes (a bound for hangs, not a timing
 * check). A condition that asks Flink's REST API and finds it not answering (a connection refused
 * or timed out while a busy machine's JobManager restores a job) counts as "not yet", and the last
 * such failure is named if the time runs out; any other failure ends the wait at once.
 */
final class Await {
  private Await() {}

  static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    ClusterException unanswered = null;
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (ClusterException e) {
        if (!(e.getCause() instanceof IOException)) {
          throw e;
        }
        unanswered = e;
      }
      if (System.nanoTime() > deadline) {
        AssertionError failure = new AssertionError(what + ": not within " + timeout.toSeconds() + " s"
            + (unanswered == null ? "" : "; last unanswered request: " + unanswered.getMessage()));
        if (unanswered != null) {
          failure.initCause(unanswered);
        }
        throw failure;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }
}
