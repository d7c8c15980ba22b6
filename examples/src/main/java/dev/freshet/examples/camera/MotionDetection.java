package dev.freshet.examples.camera;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.freshet.runners.FreshetPipelineOptions;
import dev.freshet.sdk.io.StreamIO;
import dev.freshet.transforms.video.DecodeVideo;
import dev.freshet.transforms.video.SampleFrames;
import dev.freshet.transforms.video.VideoFrame;
import dev.freshet.transforms.video.VideoIO;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Motion detection on a camera: reads a Kinesis Video stream from a Freshet server, decodes
 * frames, samples them, and writes an alert (JSON) into a Freshet stream for every window in
 * which the picture changed.
 *
 * <pre>{@code
 * freshet server &                                     # Kinesis, Kinesis Video on :4567
 * freshet video create door && freshet video put door --file door.mkv
 * freshet streams create alerts
 * freshet run camera-motion --endpoint=http://127.0.0.1:4567 --videoStream=door --alertStream=alerts
 * }</pre>
 *
 * <p>How: {@link VideoIO} → {@link DecodeVideo} → {@link SampleFrames} (one frame every {@code
 * sampleMillis}) → fixed windows of {@code motionWindowSeconds} → per window, each sampled frame is
 * shrunk to a 32×18 grey thumbnail and compared with the one before; the window's largest mean
 * difference (0–255) is its motion score. A score at or above {@code threshold} becomes an alert
 * {@code {"stream":…,"windowStart":…,"from":…,"to":…,"score":…}} with the stream as partition key.
 */
public final class MotionDetection {
  private MotionDetection() {}

  /**
   * The example's options; {@code --endpoint} (of {@link FreshetPipelineOptions}) must be a server,
   * {@code http://HOST:PORT}, which serves both Kinesis and Kinesis Video.
   */
  public interface Options extends FreshetPipelineOptions {
    @Description("The Kinesis Video stream to watch")
    @Validation.Required
    String getVideoStream();

    void setVideoStream(String value);

    @Description("The Freshet stream alerts go to")
    @Validation.Required
    String getAlertStream();

    void setAlertStream(String value);

    @Description("One frame every this many milliseconds is compared with the one before")
    @Default.Integer(200)
    int getSampleMillis();

    void setSampleMillis(int value);

    @Description("Motion is judged per window of this many seconds")
    @Default.Integer(2)
    int getMotionWindowSeconds();

    void setMotionWindowSeconds(int value);

    @Description("The mean difference (0-255) between two thumbnails that counts as motion")
    @Default.Double(8.0)
    double getThreshold();

    void setThreshold(double value);

    @Description("Stop after this many fragments (0: keep watching)")
    @Default.Long(0)
    long getMaxFragments();

    void setMaxFragments(long value);
  }

  public static void main(String[] args) {
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    create(options).run().waitUntilFinish();
  }

  /** The pipeline for {@code options} (validated here). */
  public static Pipeline create(Options options) {
    checkEndpoint(options);
    if (options.getSampleMillis() < 1 || options.getMotionWindowSeconds() < 1) {
      throw new IllegalArgumentException("sampleMillis and motionWindowSeconds must be 1 or more, but were: "
          + options.getSampleMillis() + " and " + options.getMotionWindowSeconds());
    }
    if (!(options.getThreshold() > 0 && options.getThreshold() <= 255)) {
      throw new IllegalArgumentException("threshold must be in (0, 255], but was: " + options.getThreshold());
    }
    Pipeline pipeline = Pipeline.create(options);
    VideoIO.Read read = VideoIO.read().withEndpoint(options.getEndpoint())
        .withStreamName(options.getVideoStream());
    if (options.getMaxFragments() > 0) {
      read = read.withMaxNumFragments(options.getMaxFragments());
    }
    pipeline
        .apply("Read " + options.getVideoStream(), read)
        .apply("Decode", DecodeVideo.frames()).frames()
        .apply("Sample", SampleFrames.every(java.time.Duration.ofMillis(options.getSampleMillis())))
        .apply("Windows", Window.into(FixedWindows.of(Duration.standardSeconds(options.getMotionWindowSeconds()))))
        .apply("ByStream", WithKeys.of((SerializableFunction<VideoFrame, String>) VideoFrame::streamName)
            .withKeyType(TypeDescriptors.strings()))
        .apply("Group", GroupByKey.create())
        .apply("Score", ParDo.of(new ScoreFn(options.getThreshold())))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
        .apply("Alert", StreamIO.<KV<String, String>>write()
            .withStream(options.getAlertStream())
            .withEndpoint(options.getEndpoint())
            .withPartitionKey(KV::getKey)
            .withSerializer(alert -> alert.getValue().getBytes(UTF_8)));
    return pipeline;
  }

  /** Fails unless {@code --endpoint} is a server, which Kinesis Video needs. */
  static void checkEndpoint(Options options) {
    URI endpoint = options.getEndpoint();
    if (endpoint == null || !List.of("http", "https").contains(String.valueOf(endpoint.getScheme()))) {
      throw new IllegalArgumentException("camera-motion reads a Kinesis Video stream from a freshet server: "
          + "give --endpoint=http://HOST:PORT (such as http://localhost:4567), but the endpoint was: " + endpoint);
    }
  }

  /** Scores a window's frames of one stream; emits an alert when the score reaches the threshold. */
  static final class ScoreFn extends DoFn<KV<String, Iterable<VideoFrame>>, KV<String, String>> {
    private static final long serialVersionUID = 1L;
    private final double threshold;

    ScoreFn(double threshold) {
      this.threshold = threshold;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<VideoFrame>> window,
        org.apache.beam.sdk.transforms.windowing.BoundedWindow boundedWindow,
        OutputReceiver<KV<String, String>> out) {
      List<VideoFrame> frames = new ArrayList<>();
      window.getValue().forEach(frames::add);
      frames.sort(Comparator.comparing(VideoFrame::timestamp));
      double best = 0;
      VideoFrame from = null;
      VideoFrame to = null;
      for (int i = 1; i < frames.size(); i++) {
        double score = difference(thumbnail(frames.get(i - 1)), thumbnail(frames.get(i)));
        if (score > best) {
          best = score;
          from = frames.get(i - 1);
          to = frames.get(i);
        }
      }
      if (from != null && best >= threshold) {
        String start = ((org.apache.beam.sdk.transforms.windowing.IntervalWindow) boundedWindow).start().toString();
        out.output(KV.of(window.getKey(), String.format(Locale.ROOT,
            "{\"stream\":\"%s\",\"windowStart\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"score\":%.2f}",
            window.getKey(), start, from.timestamp(), to.timestamp(), best)));
      }
    }
  }

  static final int THUMB_WIDTH = 32;
  static final int THUMB_HEIGHT = 18;

  /** The frame shrunk to 32×18 grey levels, each the mean luma of its block of pixels. */
  static double[] thumbnail(VideoFrame frame) {
    double[] sums = new double[THUMB_WIDTH * THUMB_HEIGHT];
    int[] counts = new int[sums.length];
    byte[] rgb = frame.rgb();
    for (int y = 0; y < frame.height(); y++) {
      int row = y * THUMB_HEIGHT / frame.height() * THUMB_WIDTH;
      for (int x = 0; x < frame.width(); x++) {
        int i = 3 * (y * frame.width() + x);
        double luma = 0.299 * (rgb[i] & 0xff) + 0.587 * (rgb[i + 1] & 0xff) + 0.114 * (rgb[i + 2] & 0xff);
        int cell = row + x * THUMB_WIDTH / frame.width();
        sums[cell] += luma;
        counts[cell]++;
      }
    }
    for (int i = 0; i < sums.length; i++) {
      sums[i] /= Math.max(1, counts[i]);
    }
    return sums;
  }

  /** Mean absolute difference of two thumbnails, 0–255. */
  static double difference(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs(a[i] - b[i]);
    }
    return sum / a.length;
  }
}
