package dev.freshet.examples.streams;

import dev.freshet.runners.Runners;
import dev.freshet.sdk.io.StreamIO;
import dev.freshet.sdk.io.StreamRecord;
import dev.freshet.sdk.io.WriteId;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.PipelineOptionsValidator;
import org.apache.beam.sdk.options.Validation;

/**
 * Copies every record of one stream to another, keeping its partition key and data: the smallest
 * stream-to-stream pipeline, and the one the recovery and savepoint tests run on a cluster.
 *
 * <pre>{@code
 * freshet run relay --inputStream=orders --outputStream=orders-copy        # Direct runner, embedded store
 * freshet run relay --inputStream=orders --outputStream=orders-copy \
 *     --runner=flink --flinkMaster=localhost:8081 --endpoint=http://localhost:4567 \
 *     --parallelism=2 --checkpointingInterval=1000
 * }</pre>
 *
 * <p><b>Delivery: exactly-once on Flink.</b> The read is exactly-once with Flink checkpoints (each
 * split's checkpoint mark holds the last record handed downstream). The write is idempotent: each
 * record is written with an id derived from its position in the input ({@link
 * WriteId#fromSource}), so when a Flink restart writes again what was written after the last
 * checkpoint, the Freshet store recognises the repeats and stores nothing twice. The output holds
 * every input record once, also after a failure. {@code --idempotentWrites=false} writes plainly
 * (at-least-once), for an endpoint that is not Freshet, such as the real service.
 */
public final class Relay {
  private Relay() {}

  /** The relay's flags: those of {@link StreamExampleOptions} and the stream to write. */
  public interface Options extends StreamExampleOptions {
    @Description("The stream to write; it must exist. Required.")
    @Validation.Required
    String getOutputStream();

    void setOutputStream(String value);

    @Description("Write with ids derived from each record's position in the input, so that the "
        + "Freshet store never stores a record twice after a restart (needs a Freshet endpoint); "
        + "false writes plainly, at-least-once. Default: true.")
    @Default.Boolean(true)
    boolean getIdempotentWrites();

    void setIdempotentWrites(boolean value);
  }

  /** Adds the relay to a new pipeline of {@code options} (validated here). */
  public static Pipeline create(Options options) {
    PipelineOptionsValidator.validate(Options.class, options);
    Pipeline pipeline = Pipeline.create(options);
    StreamIO.Read read = StreamExampleOptions.read(options);
    StreamIO.Write<StreamRecord> write = StreamIO.writeRecords()
        .withStream(options.getOutputStream())
        .withEndpoint(options.getEndpoint());
    if (options.getIdempotentWrites()) {
      write = write.withIdempotentIds(WriteId::fromSource);
    }
    pipeline
        .apply("Read " + options.getInputStream(), read)
        .apply(write);
    return pipeline;
  }

  /** Runs the relay until it finishes (with {@code --maxRecords}) or is cancelled. */
  public static void main(String[] args) {
    PipelineOptionsFactory.register(Options.class);
    Options options = Runners.forExamples(args).as(Options.class);
    create(options).run().waitUntilFinish();
  }
}
