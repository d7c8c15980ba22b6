package dev.freshet.kinesis.log;

/**
 * When an appended batch counts as durable, and so when {@link ShardLog#append} returns and readers
 * see it.
 *
 * <p>Public configuration of the store: chosen with {@code StoreConfig.Builder#setDurability} (the
 * default is {@link #OS}) and by {@code freshet --durability os|fsync}. The rest of this package is
 * the store's engine.
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
