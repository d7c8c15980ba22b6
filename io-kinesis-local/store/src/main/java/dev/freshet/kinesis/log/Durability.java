package dev.freshet.kinesis.log;

/**
 * When an appended batch counts as durable, and so when {@link ShardLog#append} returns and readers
 * see it. Internal to the store.
 */
public enum Durability {
  /**
   * The batch is forced to the device before it is acknowledged or visible, so it survives a crash
   * of the process and a loss of power. Concurrent appenders share one force (group commit).
   */
  FSYNC,
  /**
   * The batch is in the operating system's page cache when it is acknowledged: it survives a crash
   * of the process, not of the machine.
   */
  OS
}
