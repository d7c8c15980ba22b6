package dev.freshet.examples;

import dev.freshet.examples.clickstream.TopPagesPipeline;
import dev.freshet.examples.firehose.ClickArchive;
import dev.freshet.examples.streams.Relay;
import dev.freshet.examples.streams.WindowedCount;
import dev.freshet.runners.FreshetPipelineOptions;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.beam.sdk.Pipeline;

/**
 * The runnable example pipelines by name, for {@code freshet run NAME}: each has its own options
 * interface (its flags) and builds its pipeline from them.
 *
 * <pre>{@code
 * Examples.Example relay = Examples.named("relay").orElseThrow();
 * PipelineOptionsFactory.register(relay.options());
 * Pipeline pipeline = relay.create(Runners.forExamples(args));
 * }</pre>
 */
public final class Examples {
  private Examples() {}

  /** One example: its name, a line saying what it does, its options and how to build it. */
  public record Example(
      String name,
      String description,
      Class<? extends FreshetPipelineOptions> options,
      Function<FreshetPipelineOptions, Pipeline> factory) {

    /** The pipeline for {@code options}, viewed as this example's options and validated. */
    public Pipeline create(FreshetPipelineOptions options) {
      return factory.apply(options);
    }
  }

  private static final List<Example> ALL = List.of(
      new Example("top-pages", "the most viewed pages of a clicks stream per window",
          TopPagesPipeline.Options.class,
          options -> TopPagesPipeline.create(options.as(TopPagesPipeline.Options.class))),
      new Example("relay", "copies every record of one stream to another",
          Relay.Options.class,
          options -> Relay.create(options.as(Relay.Options.class))),
      new Example("windowed-count", "counts records per partition key in fixed windows",
          WindowedCount.Options.class,
          options -> WindowedCount.create(options.as(WindowedCount.Options.class))),
      new Example("click-archive", "delivers a clicks stream as hourly gzip JSON objects (FirehoseDelivery)",
          ClickArchive.Options.class,
          options -> ClickArchive.create(options.as(ClickArchive.Options.class))));

  /** Every example, in the order {@code freshet run --help} lists them. */
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
}
