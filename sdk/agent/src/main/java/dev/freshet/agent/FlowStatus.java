package dev.freshet.agent;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A flow's counters for the status line: records parsed from the files, skipped (header lines, and
 * records a processing option dropped), sent (acknowledged), failed (attempts that failed and were
 * retried), and the bytes of its files not yet delivered.
 */
public final class FlowStatus {
  private final String flowId;
  private final AtomicLong parsed = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong bytesBehind = new AtomicLong();
  private final AtomicLong files = new AtomicLong();

  FlowStatus(String flowId) {
    this.flowId = flowId;
  }

  void parsed(long n) {
    parsed.addAndGet(n);
  }

  void skipped(long n) {
    skipped.addAndGet(n);
  }

  void sent(long n) {
    sent.addAndGet(n);
  }

  void failed(long n) {
    failed.addAndGet(n);
  }

  void lag(long bytes, int fileCount) {
    bytesBehind.set(bytes);
    files.set(fileCount);
  }

  public String flowId() {
    return flowId;
  }

  public long parsed() {
    return parsed.get();
  }

  public long skipped() {
    return skipped.get();
  }

  public long sent() {
    return sent.get();
  }

  public long failed() {
    return failed.get();
  }

  /** Bytes of the tracked files not yet delivered, at the last scan. */
  public long bytesBehind() {
    return bytesBehind.get();
  }

  /** The status line of this flow. */
  public String line() {
    return String.format("flow %s: %d records parsed, %d skipped, %d sent, %d failed; %d files, %d bytes behind",
        flowId, parsed(), skipped(), sent(), failed(), files.get(), bytesBehind());
  }
}
