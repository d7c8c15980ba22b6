package dev.freshet.sql.window;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.IncompatibleWindowException;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.NonMergingWindowFn;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.transforms.windowing.WindowMappingFn;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Cumulative windows, as Flink SQL's {@code CUMULATE}: time is cut into periods of {@code maxSize}
 * (aligned to the epoch plus {@code offset}), and within each period the windows all start at the
 * period's start and end {@code step}, {@code 2 * step}, ... {@code maxSize} after it. An element
 * belongs to every window of its period that ends after it: with a step of 1 minute and a size of 5,
 * an element at 10:02:30 is in [10:00, 10:03), [10:00, 10:04) and [10:00, 10:05).
 *
 * <pre>{@code
 * input.apply(Window.into(CumulativeWindows.of(Duration.standardMinutes(1), Duration.standardMinutes(5))))
 * }</pre>
 *
 * <p>Each window fires when the watermark passes its end, so a period's running totals come out
 * step by step ("the day so far, every hour"). {@code maxSize} must be a whole multiple of {@code
 * step}. As a side input it is not supported.
 */
public final class CumulativeWindows extends NonMergingWindowFn<Object, IntervalWindow> {
  private static final long serialVersionUID = 1L;

  private final Duration step;
  private final Duration maxSize;
  private final Duration offset;

  private CumulativeWindows(Duration step, Duration maxSize, Duration offset) {
    this.step = step;
    this.maxSize = maxSize;
    this.offset = offset;
  }

  /**
   * Windows growing by {@code step} up to {@code maxSize}.
   *
   * @throws IllegalArgumentException unless {@code 0 < step <= maxSize} and {@code maxSize} is a
   *     multiple of {@code step}
   */
  public static CumulativeWindows of(Duration step, Duration maxSize) {
    checkNotNull(step, "step");
    checkNotNull(maxSize, "maxSize");
    checkArgument(step.getMillis() > 0, "CUMULATE step must be positive, but was: %s", step);
    checkArgument(maxSize.getMillis() >= step.getMillis(),
        "CUMULATE max size must be at least the step (%s), but was: %s", step, maxSize);
    checkArgument(maxSize.getMillis() % step.getMillis() == 0,
        "CUMULATE max size must be a whole multiple of the step (%s), but was: %s", step, maxSize);
    return new CumulativeWindows(step, maxSize, Duration.ZERO);
  }

  /** The same windows with periods starting {@code offset} after the epoch's (0 ≤ offset < maxSize). */
  public CumulativeWindows withOffset(Duration offset) {
    checkNotNull(offset, "offset");
    checkArgument(offset.getMillis() >= 0 && offset.getMillis() < maxSize.getMillis(),
        "CUMULATE offset must be at least 0 and less than the max size (%s), but was: %s", maxSize, offset);
    return new CumulativeWindows(step, maxSize, offset);
  }

  public Duration getStep() {
    return step;
  }

  public Duration getMaxSize() {
    return maxSize;
  }

  public Duration getOffset() {
    return offset;
  }

  @Override
  public Collection<IntervalWindow> assignWindows(AssignContext c) {
    return windowsOf(c.timestamp());
  }

  /** The windows that hold an element at {@code timestamp}, shortest first. */
  List<IntervalWindow> windowsOf(Instant timestamp) {
    long ts = timestamp.getMillis();
    long size = maxSize.getMillis();
    long periodStart = ts - Math.floorMod(ts - offset.getMillis(), size);
    List<IntervalWindow> windows = new ArrayList<>();
    for (long end = periodStart + step.getMillis(); end <= periodStart + size; end += step.getMillis()) {
      if (end > ts) {
        windows.add(new IntervalWindow(new Instant(periodStart), new Instant(end)));
      }
    }
    return windows;
  }

  @Override
  public boolean isCompatible(WindowFn<?, ?> other) {
    return equals(other);
  }

  @Override
  public void verifyCompatibility(WindowFn<?, ?> other) throws IncompatibleWindowException {
    if (!isCompatible(other)) {
      throw new IncompatibleWindowException(other, "only CumulativeWindows with the same step, size and offset are compatible");
    }
  }

  @Override
  public Coder<IntervalWindow> windowCoder() {
    return IntervalWindow.getCoder();
  }

  @Override
  public WindowMappingFn<IntervalWindow> getDefaultWindowMappingFn() {
    throw new UnsupportedOperationException("CumulativeWindows is not supported as a side input");
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("step", step)).add(DisplayData.item("maxSize", maxSize))
        .addIfNotDefault(DisplayData.item("offset", offset), Duration.ZERO);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof CumulativeWindows)) {
      return false;
    }
    CumulativeWindows other = (CumulativeWindows) o;
    return step.equals(other.step) && maxSize.equals(other.maxSize) && offset.equals(other.offset);
  }

  @Override
  public int hashCode() {
    return Objects.hash(step, maxSize, offset);
  }

  @Override
  public String toString() {
    return "CUMULATE(step " + step + ", max " + maxSize + (offset.getMillis() == 0 ? "" : ", offset " + offset) + ")";
  }
}
