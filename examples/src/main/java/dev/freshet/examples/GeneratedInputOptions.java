package dev.freshet.examples;

import dev.freshet.runners.FreshetPipelineOptions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * The flags the gallery's self-contained examples share: they generate their own input (seeded,
 * with event times from {@code --startTime} on, so every run prints the same), and the SQL ones run
 * their packed script or {@code --sqlFile}.
 */
public interface GeneratedInputOptions extends FreshetPipelineOptions {
  @Description("The seed of the generated input. Default: 42.")
  @Default.Long(42)
  long getSeed();

  void setSeed(long value);

  @Description("The event time of the first generated event (ISO-8601). Default: 2026-01-01T10:00:00Z.")
  @Default.String("2026-01-01T10:00:00Z")
  String getStartTime();

  void setStartTime(String value);

  @Description("How many minutes of event time the generated input spans, 1 to 1440. Default: 5.")
  @Default.Integer(5)
  int getMinutes();

  void setMinutes(int value);

  @Description("A SQL file to run instead of the example's own (SQL examples only). Default: none.")
  String getSqlFile();

  void setSqlFile(String value);

  /** {@code --startTime}, parsed; fails naming the flag. */
  static Instant startTime(GeneratedInputOptions options) {
    try {
      return Instant.parse(options.getStartTime());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("startTime must be an ISO-8601 instant such as 2026-01-01T10:00:00Z, "
          + "but was: " + options.getStartTime(), e);
    }
  }

  /** {@code --minutes}, checked. */
  static int minutes(GeneratedInputOptions options) {
    if (options.getMinutes() < 1 || options.getMinutes() > 1440) {
      throw new IllegalArgumentException("minutes must be between 1 and 1440, but was: " + options.getMinutes());
    }
    return options.getMinutes();
  }
}
