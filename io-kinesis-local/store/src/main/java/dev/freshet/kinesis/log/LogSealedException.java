package dev.freshet.kinesis.log;

/** Thrown by {@link ShardLog#append} once the log has been sealed. Internal to the store. */
public final class LogSealedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public LogSealedException(String message) {
    super(message);
  }
}
