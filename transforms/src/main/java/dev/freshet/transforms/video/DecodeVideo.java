package dev.freshet.transforms.video;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * Decodes video fragments into frames.
 *
 * <pre>{@code
 * PCollection<VideoFragment> fragments = ...;                // e.g. VideoFragments.split of GetMedia output
 * DecodeVideo.Result decoded = fragments.apply(DecodeVideo.frames());
 * PCollection<VideoFrame> frames = decoded.frames();         // pixels, size, absolute timestamps
 * PCollection<UndecodableFragment> bad = decoded.failures(); // the dead letters, with the reason
 * }</pre>
 *
 * <p>Every fragment is decoded on its own: Kinesis Video fragments start with a key frame and carry
 * the track's codec private data, so no state is kept between fragments and the transform scales
 * with the runner's parallelism. Within a fragment, frames come out in presentation order.
 *
 * <p><b>Decoders.</b> The default is {@link FrameDecoder#jcodec()}: pure-Java H.264 through
 * JCodec, on every platform. {@link #withDecoder} takes any other {@link FrameDecoder}.
 *
 * <p><b>Timestamps.</b> Each frame is output with its presentation time ({@link
 * VideoFrame#timestamp()}: the fragment's producer timestamp plus the frame's offset) as its
 * element timestamp, so event-time windows ({@link SampleFrames}, {@code
 * Window.into}) group frames by when they were filmed. An input fragment's own element timestamp
 * must not be later than its first frame's, as with fragments timestamped by their producer time.
 *
 * <p><b>Failures.</b> A fragment that is not Matroska, has no H.264 track with codec private data,
 * or whose blocks the decoder rejects produces no frames; it goes to {@link Result#failures()} with
 * the reason, and the rest of the pipeline goes on. Counters {@code fragmentsDecoded}, {@code
 * framesDecoded} and {@code fragmentsUndecodable} count them.
 */
@AutoValue
public abstract class DecodeVideo extends PTransform<PCollection<VideoFragment>, DecodeVideo.Result> {
  private static final long serialVersionUID = 1L;
  static final TupleTag<VideoFrame> FRAMES = new TupleTag<VideoFrame>() {};
  static final TupleTag<UndecodableFragment> FAILURES = new TupleTag<UndecodableFragment>() {};

  abstract FrameDecoder decoder();

  abstract Builder toBuilder();

  /** Decodes with JCodec; see {@link #withDecoder}. */
  public static DecodeVideo frames() {
    return new AutoValue_DecodeVideo.Builder().setDecoder(FrameDecoder.jcodec()).build();
  }

  /** Decodes with {@code decoder} instead of JCodec (default {@link FrameDecoder#jcodec()}). */
  public DecodeVideo withDecoder(FrameDecoder decoder) {
    checkNotNull(decoder, "decoder");
    return toBuilder().setDecoder(decoder).build();
  }

  @Override
  public Result expand(PCollection<VideoFragment> input) {
    PCollectionTuple outputs = input.apply("Decode", ParDo.of(new DecodeFn(decoder()))
        .withOutputTags(FRAMES, TupleTagList.of(FAILURES)));
    return new Result(input.getPipeline(), outputs.get(FRAMES).setCoder(VideoFrame.coder()),
        outputs.get(FAILURES).setCoder(UndecodableFragment.coder()));
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setDecoder(FrameDecoder decoder);

    abstract DecodeVideo build();
  }

  /** The frames, and the fragments that could not be decoded. */
  public static final class Result implements POutput {
    private final Pipeline pipeline;
    private final PCollection<VideoFrame> frames;
    private final PCollection<UndecodableFragment> failures;

    Result(Pipeline pipeline, PCollection<VideoFrame> frames, PCollection<UndecodableFragment> failures) {
      this.pipeline = pipeline;
      this.frames = frames;
      this.failures = failures;
    }

    /** Decoded frames, each timestamped with its presentation time. */
    public PCollection<VideoFrame> frames() {
      return frames;
    }

    /** Fragments that produced no frames, with the reason. */
    public PCollection<UndecodableFragment> failures() {
      return failures;
    }

    @Override
    public Pipeline getPipeline() {
      return pipeline;
    }

    @Override
    public Map<TupleTag<?>, PValue> expand() {
      return Map.of(FRAMES, frames, FAILURES, failures);
    }

    @Override
    public void finishSpecifyingOutput(String transformName, PInput input,
        PTransform<?, ?> transform) {}
  }

  /** Decodes one fragment at a time; all or nothing per fragment. */
  static final class DecodeFn extends DoFn<VideoFragment, VideoFrame> {
    private static final long serialVersionUID = 1L;
    private final FrameDecoder decoder;
    private final Counter fragmentsDecoded = Metrics.counter(DecodeVideo.class, "fragmentsDecoded");
    private final Counter framesDecoded = Metrics.counter(DecodeVideo.class, "framesDecoded");
    private final Counter undecodable = Metrics.counter(DecodeVideo.class, "fragmentsUndecodable");

    DecodeFn(FrameDecoder decoder) {
      this.decoder = decoder;
    }

    @ProcessElement
    public void process(@Element VideoFragment fragment, MultiOutputReceiver out) {
      List<VideoFrame> frames;
      try {
        frames = decoder.decode(fragment);
      } catch (UndecodableFragmentException e) {
        undecodable.inc();
        out.get(FAILURES).output(UndecodableFragment.of(fragment.streamName(), fragment.fragmentNumber(),
            e.getMessage()));
        return;
      }
      fragmentsDecoded.inc();
      framesDecoded.inc(frames.size());
      for (VideoFrame frame : frames) {
        out.get(FRAMES).outputWithTimestamp(frame, new Instant(frame.timestamp().toEpochMilli()));
      }
    }
  }
}
