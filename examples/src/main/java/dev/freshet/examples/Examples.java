package dev.freshet.examples;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.examples.camera.MotionAlerts;
import dev.freshet.examples.camera.MotionDetection;
import dev.freshet.examples.clickstream.TopPagesPipeline;
import dev.freshet.examples.clickstream.TopPagesSql;
import dev.freshet.examples.firehose.ClickArchive;
import dev.freshet.examples.fraud.FraudAlerts;
import dev.freshet.examples.iot.SensorStats;
import dev.freshet.examples.logs.LogDelivery;
import dev.freshet.examples.streams.Relay;
import dev.freshet.examples.streams.WindowedCount;
import dev.freshet.runners.FreshetPipelineOptions;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.beam.sdk.Pipeline;

/**
 * The examples gallery by name, for {@code freshet run NAME}: each example has its own options
 * interface (its flags), the folder of the repository's {@code examples/} that documents it (its
 * README and the SQL or configuration files it reads), and a {@link Program}: what it prepares
 * (streams, generated input), the pipeline it runs, and what it prints at the end.
 *
 * <pre>{@code
 * Examples.Example iot = Examples.named("iot-sensors").orElseThrow();
 * PipelineOptionsFactory.register(iot.options());
 * FreshetPipelineOptions options = Runners.forExamples(args);
 * PrintWriter out = new PrintWriter(System.out, true);
 * iot.program().prepare(options, out);                        // recreates the streams, writes readings
 * iot.program().pipeline(options).orElseThrow().run().waitUntilFinish();
 * iot.program().finish(options, out);                         // prints each window's statistics
 * }</pre>
 */
public final class Examples {
  private Examples() {}

  /**
   * How an example runs. {@code freshet run} calls {@link #prepare}, then {@link #pipeline} (runs
   * it, if there is one, and waits for it), then {@link #finish}. Each step validates the options it
   * uses and throws {@link IllegalArgumentException} naming the bad flag.
   */
  public interface Program {
    /** Before the pipeline is built: creates streams, tables and the generated input. */
    default void prepare(FreshetPipelineOptions options, PrintWriter out) throws Exception {}

    /** The pipeline to run; empty for an example that is a program of its own (the agent). */
    Optional<Pipeline> pipeline(FreshetPipelineOptions options) throws Exception;

    /**
     * After the pipeline finished (right after {@link #prepare} for an example without one): prints
     * what it produced, or (log-delivery, fraud-alerts) carries it on to its destination first.
     */
    default void finish(FreshetPipelineOptions options, PrintWriter out) throws Exception {}
  }

  /**
   * One example: its name, the folder under {@code examples/} with its README, a line saying what
   * it does, its options and how it runs.
   */
  public record Example(
      String name,
      String folder,
      String description,
      Class<? extends FreshetPipelineOptions> options,
      Program program) {

    public Example {
      checkNotNull(name, "name");
      checkArgument(name.matches("[a-z][a-z0-9-]*"), "an example name is lower-case words joined by '-': %s", name);
      checkNotNull(folder, "folder");
      checkNotNull(description, "description");
      checkNotNull(options, "options");
      checkNotNull(program, "program");
    }

    /** The pipeline for {@code options}; fails for an example without one. */
    public Pipeline create(FreshetPipelineOptions options) throws Exception {
      return program.pipeline(options).orElseThrow(() ->
          new IllegalStateException("the example " + name + " runs no pipeline"));
    }
  }

  /** An example that is just a pipeline built from its options. */
  static <T extends FreshetPipelineOptions> Example pipeline(String name, String folder, String description,
      Class<T> options, Function<T, Pipeline> factory) {
    return new Example(name, folder, description, options,
        opts -> Optional.of(factory.apply(opts.as(options))));
  }

  private static final List<Example> ALL = List.of(
      pipeline("top-pages", "clickstream",
          "clickstream analytics in Java: the most viewed pages per window, printed as windows close",
          TopPagesPipeline.Options.class, TopPagesPipeline::create),
      new Example("clickstream-sql", "clickstream",
          "clickstream analytics in SQL: the top 3 pages per minute (TUMBLE + ROW_NUMBER) into a stream",
          TopPagesSql.Options.class, new TopPagesSql()),
      pipeline("click-archive", "clickstream",
          "delivers a clicks stream as hourly gzip JSON objects (FirehoseDelivery)",
          ClickArchive.Options.class, ClickArchive::create),
      new Example("iot-sensors", "iot-sensors",
          "sensor readings averaged per sensor over 1-minute HOP windows every 30 s (SQL)",
          SensorStats.Options.class, new SensorStats()),
      new Example("log-delivery", "log-delivery",
          "an access log tailed by the agent into a Firehose delivery stream, delivered as gzip JSON",
          LogDelivery.Options.class, new LogDelivery()),
      new Example("fraud-alerts", "fraud-alerts",
          "card transactions -> SQL alerts into a stream -> a PostgreSQL table (FirehoseDelivery)",
          FraudAlerts.Options.class, new FraudAlerts()),
      new Example("camera-motion", "camera-motion",
          "motion alerts from a Kinesis Video stream's fragments into a stream",
          MotionDetection.Options.class, new MotionAlerts()),
      pipeline("relay", "streams",
          "copies every record of one stream to another",
          Relay.Options.class, Relay::create),
      pipeline("windowed-count", "streams",
          "counts records per partition key in fixed windows",
          WindowedCount.Options.class, WindowedCount::create));

  /** Every example, in the order {@code freshet run --list} lists them. */
  public static List<Example> all() {
    return ALL;
  }

  /** The example called {@code name}, if there is one. */
  public static Optional<Example> named(String name) {
    return ALL.stream().filter(example -> example.name().equals(name)).findFirst();
  }

  /** The names of every example, comma-separated, for error messages. */
  public static String names() {
    return String.join(", ", ALL.stream().map(Example::name).toList());
  }

  /** One line per example, its name padded and its description, as {@code freshet run} lists them. */
  public static String listing() {
    int width = ALL.stream().mapToInt(example -> example.name().length()).max().orElse(0);
    StringBuilder text = new StringBuilder();
    for (Example example : ALL) {
      text.append(String.format("  %-" + width + "s  %s%n", example.name(), example.description()));
    }
    return text.toString();
  }
}
