package dev.freshet.kinesis.video;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import org.jspecify.annotations.Nullable;

/** Where GetMedia starts: GetMedia's StartSelector. */
@AutoValue
public abstract class StartSelector {
  /** The service's StartSelectorType values. */
  public enum Type { NOW, EARLIEST, FRAGMENT_NUMBER, PRODUCER_TIMESTAMP, SERVER_TIMESTAMP, CONTINUATION_TOKEN }

  public abstract Type type();

  abstract @Nullable String value();

  abstract long timestamp();

  /** The next fragment to arrive. */
  public static StartSelector now() {
    return new AutoValue_StartSelector(Type.NOW, null, 0);
  }

  /** The oldest fragment still stored. */
  public static StartSelector earliest() {
    return new AutoValue_StartSelector(Type.EARLIEST, null, 0);
  }

  /** The fragment with this number (it must exist). */
  public static StartSelector fragmentNumber(String fragmentNumber) {
    return new AutoValue_StartSelector(Type.FRAGMENT_NUMBER, checkNotNull(fragmentNumber, "fragmentNumber"), 0);
  }

  /** The first fragment stored after the one a previous GetMedia's continuation token names. */
  public static StartSelector continuationToken(String token) {
    return new AutoValue_StartSelector(Type.CONTINUATION_TOKEN, checkNotNull(token, "token"), 0);
  }

  /** The first fragment, in storage order, whose producer timestamp is at or after {@code millis}. */
  public static StartSelector producerTimestamp(long millis) {
    return new AutoValue_StartSelector(Type.PRODUCER_TIMESTAMP, null, millis);
  }

  /** The first fragment the server received at or after {@code millis}. */
  public static StartSelector serverTimestamp(long millis) {
    return new AutoValue_StartSelector(Type.SERVER_TIMESTAMP, null, millis);
  }

  String fragmentNumber() {
    return value();
  }

  String continuationToken() {
    return value();
  }

  long timestampMillis() {
    return timestamp();
  }
}
