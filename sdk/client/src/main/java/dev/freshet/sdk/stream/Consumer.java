package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;
import java.time.Instant;

/** An enhanced fan-out consumer registered on a stream. */
@AutoValue
public abstract class Consumer {
  public static Consumer of(
      String consumerName,
      String consumerArn,
      ConsumerStatus consumerStatus,
      Instant consumerCreationTimestamp,
      String streamArn) {
    return new AutoValue_Consumer(
        consumerName, consumerArn, consumerStatus, consumerCreationTimestamp, streamArn);
  }

  public abstract String consumerName();

  /** {@code <stream ARN>/consumer/<name>:<creation epoch seconds>}. */
  public abstract String consumerArn();

  public abstract ConsumerStatus consumerStatus();

  public abstract Instant consumerCreationTimestamp();

  public abstract String streamArn();
}
