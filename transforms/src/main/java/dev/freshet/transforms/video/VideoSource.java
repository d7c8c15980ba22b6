package dev.freshet.transforms.video;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;
import org.jspecify.annotations.Nullable;

/** One video stream as an unbounded source: a single split (a video stream has one sequence of fragments). */
final class VideoSource extends UnboundedSource<VideoFragment, VideoCheckpointMark> {
  private static final long serialVersionUID = 1L;
  /** At most this many fragments per GetMediaForFragmentList call. */
  static final int BATCH = 16;
  private final VideoIO.Read spec;

  VideoSource(VideoIO.Read spec) {
    this.spec = spec;
  }

  @Override
  public List<VideoSource> split(int desiredNumSplits, PipelineOptions options) {
    return List.of(this);
  }

  @Override
  public UnboundedReader<VideoFragment> createReader(PipelineOptions options,
      @Nullable VideoCheckpointMark checkpoint) {
    if (checkpoint != null) {
      return new Reader(this, checkpoint.lastFragmentNumber(), checkpoint.serverMillis);
    }
    long from = spec.startingPosition() == VideoIO.StartingPosition.NOW ? System.currentTimeMillis() : 0L;
    return new Reader(this, null, from);
  }

  @Override
  public Coder<VideoCheckpointMark> getCheckpointMarkCoder() {
    return new VideoCheckpointMark.Coder();
  }

  @Override
  public Coder<VideoFragment> getOutputCoder() {
    return VideoFragment.coder();
  }

  /** Lists new fragments every poll interval and fetches them in batches, in fragment-number order. */
  static final class Reader extends UnboundedReader<VideoFragment> {
    private final VideoSource source;
    private final VideoApi api;
    private final Deque<VideoApi.Listed> listed = new ArrayDeque<>();
    private final Deque<VideoFragment> fetched = new ArrayDeque<>();
    private @Nullable String lastNumber;
    private long lastServerMillis;
    private @Nullable VideoFragment current;
    private Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
    private long lastPollNanos;

    Reader(VideoSource source, @Nullable String lastNumber, long fromServerMillis) {
      this.source = source;
      this.api = new VideoApi(source.spec.endpoint());
      this.lastNumber = lastNumber;
      this.lastServerMillis = fromServerMillis;
    }

    @Override
    public boolean start() throws IOException {
      return advance();
    }

    @Override
    public boolean advance() throws IOException {
      if (fetched.isEmpty()) {
        if (listed.isEmpty() && !poll()) {
          current = null;
          return false;
        }
        fetchBatch();
      }
      VideoFragment next = fetched.poll();
      if (next == null) {
        current = null;
        return false;
      }
      current = next;
      lastNumber = next.fragmentNumber();
      lastServerMillis = next.serverTimestamp().toEpochMilli();
      Instant producerTime = new Instant(next.producerTimestamp().toEpochMilli());
      if (producerTime.isAfter(watermark)) {
        watermark = producerTime;
      }
      return true;
    }

    /** Lists fragments after the last one, at most once per poll interval; whether any are new. */
    private boolean poll() throws IOException {
      long now = System.nanoTime();
      if (lastPollNanos != 0 && now - lastPollNanos < source.spec.pollInterval().toNanos()) {
        return false;
      }
      lastPollNanos = now;
      BigInteger after = lastNumber == null ? BigInteger.valueOf(-1) : new BigInteger(lastNumber);
      for (VideoApi.Listed fragment : api.listSince(source.spec.streamName(), lastServerMillis)) {
        if (fragment.numeric().compareTo(after) > 0) {
          listed.add(fragment);
        }
      }
      return !listed.isEmpty();
    }

    private void fetchBatch() throws IOException {
      List<String> numbers = new ArrayList<>();
      while (!listed.isEmpty() && numbers.size() < BATCH) {
        numbers.add(listed.poll().number());
      }
      if (!numbers.isEmpty()) {
        fetched.addAll(api.media(source.spec.streamName(), numbers));
      }
    }

    @Override
    public VideoFragment getCurrent() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return current;
    }

    @Override
    public Instant getCurrentTimestamp() {
      return new Instant(getCurrent().producerTimestamp().toEpochMilli());
    }

    @Override
    public Instant getWatermark() {
      return watermark;
    }

    @Override
    public VideoCheckpointMark getCheckpointMark() {
      return new VideoCheckpointMark(lastNumber == null ? "" : lastNumber, lastServerMillis);
    }

    @Override
    public UnboundedSource<VideoFragment, ?> getCurrentSource() {
      return source;
    }

    @Override
    public void close() {}
  }
}
