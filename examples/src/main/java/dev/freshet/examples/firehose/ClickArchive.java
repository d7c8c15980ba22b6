package dev.freshet.examples.firehose;

import dev.freshet.runners.FreshetPipelineOptions;
import dev.freshet.runners.Runners;
import dev.freshet.sdk.io.StreamIO;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.transforms.firehose.CompressionFormat;
import dev.freshet.transforms.firehose.FirehoseDelivery;
import dev.freshet.transforms.firehose.FirehoseDestination;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.Validation;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Clickstream archive, the Firehose seed use case: the clicks stream, delivered with {@code
 * FirehoseDelivery} as gzip JSON-lines objects in one folder per hour of arrival, the way a
 * Firehose delivery stream archives a Kinesis stream to S3.
 *
 * <pre>{@code
 * freshet demo &                                        # writes clicks to the stream "clickstream"
 * freshet run click-archive --outputDir=/data/lake --runSeconds=120
 * ls /data/lake/clicks/2024/03/07/09/                   # clickstream-1-2024-03-07-09-41-05-<uuid>.gz
 * }</pre>
 *
 * <p>Objects are {@code <outputDir>/clicks/yyyy/MM/dd/HH/clickstream-1-<time>-<uuid>.gz}, one JSON
 * click per line, put every {@code --bufferSeconds} (default 300) or {@code --bufferMiB} (default
 * 64) per object, whichever comes first; records the delivery cannot place go under {@code
 * <outputDir>/errors/}. Delivery is at-least-once (see docs/firehose.md).
 */
public final class ClickArchive {
  private ClickArchive() {}

  /** The flags of the archive. */
  public interface Options extends FreshetPipelineOptions {
    @Description("The stream of click events. Default: clickstream.")
    @Default.String("clickstream")
    String getClickStream();

    void setClickStream(String value);

    @Description("The folder objects are delivered to. Required.")
    @Validation.Required
    String getOutputDir();

    void setOutputDir(String value);

    @Description("Where to start reading: trim-horizon or latest. Default: trim-horizon.")
    @Default.String("trim-horizon")
    String getStartingPosition();

    void setStartingPosition(String value);

    @Description("The buffer interval hint in seconds, 0 to 900. Default: 300.")
    @Default.Integer(300)
    int getBufferSeconds();

    void setBufferSeconds(int value);

    @Description("The buffer size hint in MiB, 1 to 128. Default: 64.")
    @Default.Integer(64)
    int getBufferMiB();

    void setBufferMiB(int value);

    @Description("Stop reading this many seconds after the start (records that arrived until then),"
        + " deliver what is buffered and finish; 0 reads forever. Default: 0.")
    @Default.Integer(0)
    int getRunSeconds();

    void setRunSeconds(int value);
  }

  /** The archive's delivery: hourly prefixes, gzip, one JSON record per line. */
  public static FirehoseDelivery.Write delivery(Path outputDir, int bufferMiB, Duration bufferInterval) {
    return FirehoseDelivery.to(FirehoseDestination.localFiles(outputDir))
        .withDeliveryStreamName("clickstream")
        .withBufferingHints(bufferMiB, bufferInterval)
        .withCompression(CompressionFormat.GZIP)
        .withAppendDelimiter(true)
        .withPrefix("clicks/!{timestamp:yyyy/MM/dd/HH}/")
        .withErrorOutputPrefix("errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/");
  }

  /** A new pipeline of {@code options}: the clicks stream through the archive's delivery. */
  public static Pipeline create(Options options) {
    if (options.getRunSeconds() < 0) {
      throw new IllegalArgumentException("runSeconds must be 0 or more, but was: " + options.getRunSeconds());
    }
    StartingPosition start = switch (options.getStartingPosition().trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
      case "trim-horizon" -> StartingPosition.trimHorizon();
      case "latest" -> StartingPosition.latest();
      default -> throw new IllegalArgumentException(
          "startingPosition must be trim-horizon or latest, but was: " + options.getStartingPosition());
    };
    FirehoseDelivery.Write delivery = delivery(Path.of(options.getOutputDir()), options.getBufferMiB(),
        Duration.standardSeconds(options.getBufferSeconds()));
    StreamIO.Read read = StreamIO.read().withStream(options.getClickStream()).withEndpoint(options.getEndpoint())
        .withStartingPosition(start);
    if (options.getRunSeconds() > 0) {
      read = read.withStopReadingAt(Instant.now().plus(Duration.standardSeconds(options.getRunSeconds())));
    }
    Pipeline pipeline = Pipeline.create(options);
    pipeline.apply("ReadClicks", read).apply("Archive", delivery.forStreamRecords());
    return pipeline;
  }

  /** Runs the archive until {@code --runSeconds} have passed or it is cancelled. */
  public static void main(String[] args) {
    PipelineOptionsFactory.register(Options.class);
    Options options = Runners.forExamples(args).as(Options.class);
    create(options).run().waitUntilFinish();
  }
}
