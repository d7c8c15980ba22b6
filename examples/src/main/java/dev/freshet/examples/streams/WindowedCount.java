package dev.freshet.examples.streams;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.freshet.runners.Runners;
import dev.freshet.sdk.io.StreamIO;
import dev.freshet.sdk.io.StreamRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.PipelineOptionsValidator;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Counts records per partition key in fixed windows of arrival time: read, window, count per key,
 * then write each count to a stream or print it. It is the workload of {@code bench/runners.sh},
 * the same pipeline on every runner.
 *
 * <pre>{@code
 * freshet run windowed-count --inputStream=clicks --maxRecords=5000000          # Direct runner
 * freshet run windowed-count --inputStream=clicks --outputStream=click-counts \
 *     --runner=flink --flinkMaster=[local] --windowSeconds=10
 * }</pre>
 *
 * <p>Each count is one line, {@code KEY WINDOW_START/WINDOW_END COUNT}, written with the key as its
 * partition key, or printed to the standard output of the process that runs it (on a cluster: the
 * TaskManager's {@code .out} file). The counter {@code windowed-count/records} counts every record
 * read.
 */
public final class WindowedCount {
  private static final Counter RECORDS = Metrics.counter("windowed-count", "records");

  private WindowedCount() {}

  /** The windowed count's flags: those of {@link StreamExampleOptions}, the window and the output. */
  public interface Options extends StreamExampleOptions {
    @Description("The stream to write the counts to (it must exist); without it they are printed.")
    String getOutputStream();

    void setOutputStream(String value);

    @Description("The window length in seconds, 1 or more. Default: 10.")
    @Default.Integer(10)
    int getWindowSeconds();

    void setWindowSeconds(int value);
  }

  /** Adds the windowed count to a new pipeline of {@code options} (validated here). */
  public static Pipeline create(Options options) {
    PipelineOptionsValidator.validate(Options.class, options);
    if (options.getWindowSeconds() < 1) {
      throw new IllegalArgumentException(
          "windowSeconds must be 1 or more, but was: " + options.getWindowSeconds());
    }
    Pipeline pipeline = Pipeline.create(options);
    StreamIO.Read read = StreamExampleOptions.read(options);
    PCollection<KV<String, String>> counts = pipeline
        .apply("Read " + options.getInputStream(), read)
        .apply("Keys", MapElements.into(TypeDescriptors.strings()).via(WindowedCount::key))
        .apply("Window", Window.into(FixedWindows.of(Duration.standardSeconds(options.getWindowSeconds()))))
        .apply("CountPerKey", Count.perElement())
        .apply("Format", ParDo.of(new FormatFn()));
    if (options.getOutputStream() != null) {
      counts.apply(StreamIO.<KV<String, String>>write()
          .withStream(options.getOutputStream())
          .withEndpoint(options.getEndpoint())
          .withPartitionKey(KV::getKey)
          .withSerializer(line -> line.getValue().getBytes(UTF_8)));
    } else {
      counts.apply("Print", ParDo.of(new PrintFn()));
    }
    return pipeline;
  }

  private static String key(StreamRecord record) {
    RECORDS.inc();
    return record.partitionKey();
  }

  /** One count as its key and the line {@code KEY START/END COUNT}. */
  static final class FormatFn extends DoFn<KV<String, Long>, KV<String, String>> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element KV<String, Long> count, BoundedWindow window,
        OutputReceiver<KV<String, String>> out) {
      IntervalWindow interval = (IntervalWindow) window;
      out.output(KV.of(count.getKey(),
          count.getKey() + " " + interval.start() + "/" + interval.end() + " " + count.getValue()));
    }
  }

  /** Prints each count on the standard output: the pipeline's result when there is no output stream. */
  static final class PrintFn extends DoFn<KV<String, String>, Void> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element KV<String, String> line) {
      System.out.println(line.getValue());
    }
  }

  /** Runs the count until it finishes (with {@code --maxRecords}) or is cancelled. */
  public static void main(String[] args) {
    PipelineOptionsFactory.register(Options.class);
    Options options = Runners.forExamples(args).as(Options.class);
    create(options).run().waitUntilFinish();
  }
}
