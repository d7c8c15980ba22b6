package dev.freshet.agent;

import java.util.List;

/** Where a flow's buffers go: a stream, or a delivery stream. */
interface Destination extends AutoCloseable {
  /** One record to deliver, with the file it came from and the offset right after it. */
  record Item(TrackedFile file, long endOffset, byte[] data) {}

  /**
   * Delivers every item, sending failed ones again with back-off until all are acknowledged; each
   * failed attempt of a record is added to {@code status}.
   *
   * @throws InterruptedException when the agent stops before all are acknowledged
   */
  void deliver(List<Item> items, FlowStatus status) throws InterruptedException;

  @Override
  void close();
}
