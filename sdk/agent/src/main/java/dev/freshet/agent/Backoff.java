package dev.freshet.agent;

import java.util.concurrent.ThreadLocalRandom;

/** Exponential back-off with full jitter between a flow's delivery attempts. */
final class Backoff {
  private final long initialMillis;
  private final long maxMillis;
  private long next;

  Backoff(FlowConfig flow) {
    this.initialMillis = flow.retryInitialBackoffMillis();
    this.maxMillis = flow.retryMaxBackoffMillis();
    this.next = initialMillis;
  }

  void pause() throws InterruptedException {
    Thread.sleep(ThreadLocalRandom.current().nextLong(next / 2, next + 1));
    next = Math.min(maxMillis, next * 2);
  }
}
