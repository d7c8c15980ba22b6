package dev.freshet.kinesis.video;

import com.google.auto.value.AutoValue;
import org.jspecify.annotations.Nullable;

/**
 * One image {@link VideoImages} took of a video stream: its time, and either the encoded picture
 * (JPEG or PNG) or GetImages' error ({@code NO_MEDIA}: no fragment covers the time;
 * {@code MEDIA_ERROR}: the fragment could not be decoded).
 */
@AutoValue
public abstract class VideoImage {
  static VideoImage of(long timestampMillis, byte @Nullable [] content, @Nullable String error) {
    return new AutoValue_VideoImage(timestampMillis, content, error);
  }

  /** An image at {@code timestampMillis}: exactly one of {@code content} and {@code error}. */
  public static VideoImage create(long timestampMillis, byte @Nullable [] content, @Nullable String error) {
    com.google.common.base.Preconditions.checkArgument((content == null) != (error == null),
        "exactly one of content and error is needed");
    return of(timestampMillis, content, error);
  }

  /** The sampled time, milliseconds since the epoch (producer or server time, as asked). */
  public abstract long timestampMillis();

  /** The encoded image, or null with an {@link #error()}. */
  @SuppressWarnings("mutable")
  public abstract byte @Nullable [] content();

  /** {@code NO_MEDIA} or {@code MEDIA_ERROR}, or null with a {@link #content()}. */
  public abstract @Nullable String error();
}
