package dev.freshet.examples.streams;

import dev.freshet.runners.FreshetPipelineOptions;
import dev.freshet.sdk.io.StreamIO;
import dev.freshet.sdk.stream.StartingPosition;
import java.util.Locale;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * The options every stream example shares: which stream to read, from where, and how much of it.
 * The runner and endpoint flags are those of {@link FreshetPipelineOptions}.
 */
public interface StreamExampleOptions extends FreshetPipelineOptions {

  @Description("The stream to read. Required.")
  @Validation.Required
  String getInputStream();

  void setInputStream(String value);

  @Description("Where to start reading: trim-horizon (the oldest record kept) or latest (only "
      + "records written after the pipeline started). Default: trim-horizon.")
  @Default.String("trim-horizon")
  String getStartingPosition();

  void setStartingPosition(String value);

  @Description("Stop after this many records (the read becomes bounded, by one reader over all "
      + "shards, and the pipeline finishes); 0 reads forever. Default: 0.")
  @Default.Long(0)
  long getMaxRecords();

  void setMaxRecords(long value);

  /**
   * The read these options describe: stream, endpoint, starting position and, when given, the
   * number of records.
   */
  static StreamIO.Read read(StreamExampleOptions options) {
    StreamIO.Read read = StreamIO.read()
        .withStream(options.getInputStream())
        .withEndpoint(options.getEndpoint())
        .withStartingPosition(startingPosition(options));
    if (options.getMaxRecords() > 0) {
      read = read.withMaxNumRecords(options.getMaxRecords());
    }
    return read;
  }

  /** The {@code --startingPosition} flag as a position; parsed once, here. */
  static StartingPosition startingPosition(StreamExampleOptions options) {
    String value = options.getStartingPosition();
    return switch (value.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
      case "trim-horizon" -> StartingPosition.trimHorizon();
      case "latest" -> StartingPosition.latest();
      default -> throw new IllegalArgumentException(
          "startingPosition must be trim-horizon or latest, but was: " + value);
    };
  }
}
