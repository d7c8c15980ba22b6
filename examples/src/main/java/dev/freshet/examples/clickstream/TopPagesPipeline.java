package dev.freshet.examples.clickstream;

import dev.freshet.runners.FreshetPipelineOptions;
import dev.freshet.runners.Runners;
import dev.freshet.sdk.stream.StartingPosition;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * {@link TopPages} as a program: the most viewed pages of a clicks stream in fixed windows, each
 * window's ranking printed as it closes (on a cluster, logged by the TaskManager).
 *
 * <pre>{@code
 * freshet demo &                                           # writes clicks to the stream "clickstream"
 * freshet run top-pages --clickStream=clickstream --runSeconds=60
 * }</pre>
 *
 * <p>It reads from the latest record on, so start it while clicks are being written.
 */
public final class TopPagesPipeline {
  private static final String LISTENER = "top-pages-pipeline";

  private TopPagesPipeline() {}

  /** The flags of the top pages: the clicks stream, the window, the ranking's size, how long. */
  public interface Options extends FreshetPipelineOptions {
    @Description("The stream of click events (JSON with timestamp and page). Default: clickstream.")
    @Default.String("clickstream")
    String getClickStream();

    void setClickStream(String value);

    @Description("The window length in seconds, 1 or more. Default: 10.")
    @Default.Integer(10)
    int getWindowSeconds();

    void setWindowSeconds(int value);

    @Description("How many pages each ranking holds, 1 or more. Default: 5.")
    @Default.Integer(5)
    int getTop();

    void setTop(int value);

    @Description("Where to start reading: latest (clicks written after the start) or trim-horizon "
        + "(every click the stream holds). Default: latest.")
    @Default.String("latest")
    String getClicksFrom();

    void setClicksFrom(String value);

    @Description("Stop reading this many seconds after the start, close the last windows and "
        + "finish; 0 reads forever. Default: 0.")
    @Default.Integer(0)
    int getRunSeconds();

    void setRunSeconds(int value);
  }

  /** Adds the top pages to a new pipeline of {@code options}, printing each window's ranking. */
  public static Pipeline create(Options options) {
    if (options.getWindowSeconds() < 1 || options.getTop() < 1 || options.getRunSeconds() < 0) {
      throw new IllegalArgumentException(String.format(
          "windowSeconds and top must be 1 or more and runSeconds 0 or more, but were: %d, %d, %d",
          options.getWindowSeconds(), options.getTop(), options.getRunSeconds()));
    }
    Instant stopAt = options.getRunSeconds() == 0
        ? BoundedWindow.TIMESTAMP_MAX_VALUE
        : Instant.now().plus(Duration.standardSeconds(options.getRunSeconds()));
    StartingPosition start = switch (options.getClicksFrom().trim().toLowerCase(java.util.Locale.ROOT)
        .replace('_', '-')) {
      case "latest" -> StartingPosition.latest();
      case "trim-horizon" -> StartingPosition.trimHorizon();
      default -> throw new IllegalArgumentException(
          "clicksFrom must be latest or trim-horizon, but was: " + options.getClicksFrom());
    };
    TopPages.Settings settings = new TopPages.Settings(options.getEndpoint(),
        options.getClickStream(), start,
        Duration.standardSeconds(options.getWindowSeconds()), options.getTop(), stopAt);
    // Runners in this JVM (Direct, Flink [local]) print to this process's output; elsewhere the
    // rankings go to the worker's log.
    TopPages.listen(LISTENER, ranking -> System.out.println(ranking.format()));
    Pipeline pipeline = Pipeline.create(options);
    TopPages.apply(pipeline, settings, LISTENER);
    return pipeline;
  }

  /** Runs the top pages until {@code --runSeconds} have passed or it is cancelled. */
  public static void main(String[] args) {
    PipelineOptionsFactory.register(Options.class);
    Options options = Runners.forExamples(args).as(Options.class);
    create(options).run().waitUntilFinish();
  }
}
