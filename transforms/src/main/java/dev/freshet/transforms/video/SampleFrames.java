package dev.freshet.transforms.video;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Keeps one frame per stream in every interval: the earliest frame whose presentation time falls
 * in each {@code [k * every, (k + 1) * every)} on the wall clock, the way GetImages samples a
 * stream.
 *
 * <pre>{@code
 * PCollection<VideoFrame> oneASecond = frames.apply(SampleFrames.every(Duration.ofSeconds(1)));
 * }</pre>
 *
 * <p>It works on event time: frames must carry their presentation time as element timestamp (as
 * {@link DecodeVideo} outputs them), they are grouped into fixed windows of {@code every} per
 * stream, and each window yields its earliest frame when the watermark passes its end (at once
 * for bounded input). So the result is the same whatever the order and parallelism frames were
 * decoded in. The output stays in those fixed windows.
 */
public final class SampleFrames extends PTransform<PCollection<VideoFrame>, PCollection<VideoFrame>> {
  private static final long serialVersionUID = 1L;
  private final Duration every;

  private SampleFrames(Duration every) {
    this.every = every;
  }

  /** One frame per stream every {@code every} (at least 1 ms). */
  public static SampleFrames every(Duration every) {
    checkNotNull(every, "every");
    checkArgument(every.toMillis() >= 1, "every must be at least 1 ms, but was: %s", every);
    return new SampleFrames(every);
  }

  @Override
  public PCollection<VideoFrame> expand(PCollection<VideoFrame> frames) {
    return frames
        .apply("ByStream", WithKeys.of((SerializableFunction<VideoFrame, String>) VideoFrame::streamName)
            .withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VideoFrame.coder()))
        .apply("Intervals", Window.into(FixedWindows.of(org.joda.time.Duration.millis(every.toMillis()))))
        .apply("Earliest", Combine.perKey(SampleFrames::earlier))
        .apply(Values.create());
  }

  /** The earlier of two frames; on a tie, the lower fragment number, so the choice is stable. */
  static VideoFrame earlier(VideoFrame a, VideoFrame b) {
    int byTime = a.timestamp().compareTo(b.timestamp());
    if (byTime != 0) {
      return byTime < 0 ? a : b;
    }
    String x = a.fragmentNumber();
    String y = b.fragmentNumber();
    int byNumber = x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
    return byNumber <= 0 ? a : b;
  }
}
