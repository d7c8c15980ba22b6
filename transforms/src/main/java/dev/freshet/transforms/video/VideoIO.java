package dev.freshet.transforms.video;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.auto.value.AutoValue;
import java.net.URI;
import java.time.Duration;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.jspecify.annotations.Nullable;

/**
 * Reads a Kinesis Video stream as an unbounded {@code PCollection} of {@link VideoFragment}s.
 *
 * <pre>{@code
 * PCollection<VideoFragment> fragments = pipeline.apply(VideoIO.read()
 *     .withEndpoint(URI.create("http://127.0.0.1:4567"))   // required: freshet server (or any KVS endpoint)
 *     .withStreamName("camera")                           // required
 *     .withStartingPosition(VideoIO.StartingPosition.EARLIEST));
 * PCollection<VideoFrame> frames = fragments.apply(DecodeVideo.frames()).frames();
 * }</pre>
 *
 * <p><b>How it reads.</b> Every poll interval (default 1 s) the reader lists the fragments the
 * server received since the last one (ListFragments by server timestamp) and fetches new ones,
 * up to 16 per call, with GetMediaForFragmentList; fragments come out in fragment-number order,
 * each a whole Matroska document with its number and timestamps. A video stream is one sequence
 * of fragments, so the source does not split: parallelism comes after it, e.g. in {@link
 * DecodeVideo}.
 *
 * <p><b>Timestamps and watermark.</b> A fragment's element timestamp is its producer timestamp; the
 * watermark is the latest producer timestamp read.
 *
 * <p><b>Checkpoints.</b> The checkpoint mark is the last fragment number emitted and its server
 * timestamp. A reader resumed from it emits exactly the fragments after that number: nothing is
 * lost and nothing repeated, as long as those fragments are still within the stream's retention.
 *
 * <p><b>Bounded reads.</b> {@link #withMaxNumFragments} stops after that many fragments (for tests
 * and batch jobs over the archive).
 */
public final class VideoIO {
  private VideoIO() {}

  /** Where a read starts when it has no checkpoint. */
  public enum StartingPosition {
    /** The oldest fragment the stream retains. */
    EARLIEST,
    /** Fragments the server receives from now on. */
    NOW
  }

  /** A read; set {@link Read#withEndpoint} and {@link Read#withStreamName}. */
  public static Read read() {
    return new AutoValue_VideoIO_Read.Builder()
        .setStartingPosition(StartingPosition.EARLIEST)
        .setPollInterval(Duration.ofSeconds(1))
        .setMaxNumFragments(Long.MAX_VALUE)
        .build();
  }

  /** The {@link PTransform} that reads a video stream; see {@link VideoIO}. */
  @AutoValue
  public abstract static class Read extends PTransform<PBegin, PCollection<VideoFragment>> {
    private static final long serialVersionUID = 1L;

    abstract @Nullable URI endpoint();

    abstract @Nullable String streamName();

    abstract StartingPosition startingPosition();

    abstract Duration pollInterval();

    abstract long maxNumFragments();

    abstract Builder toBuilder();

    /** The server's endpoint, such as {@code http://127.0.0.1:4567}. Required. */
    public Read withEndpoint(URI endpoint) {
      checkNotNull(endpoint, "endpoint");
      checkArgument("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()),
          "endpoint must be an http:// or https:// URI, but was: %s", endpoint);
      return toBuilder().setEndpoint(endpoint).build();
    }

    /** The video stream to read. Required. */
    public Read withStreamName(String streamName) {
      checkArgument(streamName != null && !streamName.isEmpty(), "streamName must not be empty");
      return toBuilder().setStreamName(streamName).build();
    }

    /** Where to start without a checkpoint; default {@link StartingPosition#EARLIEST}. */
    public Read withStartingPosition(StartingPosition position) {
      checkNotNull(position, "position");
      return toBuilder().setStartingPosition(position).build();
    }

    /** How often to list new fragments when none are waiting; default 1 s, from 10 ms to 1 min. */
    public Read withPollInterval(Duration interval) {
      checkNotNull(interval, "interval");
      checkArgument(interval.toMillis() >= 10 && interval.compareTo(Duration.ofMinutes(1)) <= 0,
          "pollInterval must be between 10 ms and 1 min, but was: %s", interval);
      return toBuilder().setPollInterval(interval).build();
    }

    /** Stops after {@code max} fragments (a bounded read); default unbounded. */
    public Read withMaxNumFragments(long max) {
      checkArgument(max >= 1, "maxNumFragments must be at least 1, but was: %s", max);
      return toBuilder().setMaxNumFragments(max).build();
    }

    @Override
    public PCollection<VideoFragment> expand(PBegin input) {
      checkState(endpoint() != null, "VideoIO.read() needs withEndpoint(...)");
      checkState(streamName() != null, "VideoIO.read() needs withStreamName(...)");
      org.apache.beam.sdk.io.Read.Unbounded<VideoFragment> unbounded =
          org.apache.beam.sdk.io.Read.from(new VideoSource(this));
      if (maxNumFragments() == Long.MAX_VALUE) {
        return input.apply(unbounded);
      }
      return input.apply(unbounded.withMaxNumRecords(maxNumFragments()));
    }

    @AutoValue.Builder
    abstract static class Builder {
      abstract Builder setEndpoint(URI endpoint);

      abstract Builder setStreamName(String streamName);

      abstract Builder setStartingPosition(StartingPosition position);

      abstract Builder setPollInterval(Duration interval);

      abstract Builder setMaxNumFragments(long max);

      abstract Read build();
    }
  }
}
