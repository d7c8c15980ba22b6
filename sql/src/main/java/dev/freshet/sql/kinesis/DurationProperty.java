package dev.freshet.sql.kinesis;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.joda.time.Duration;

/** Durations in table properties: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 0}, or ISO-8601 {@code PT5S}. */
final class DurationProperty {
  private static final Pattern SHORT = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)?");

  private DurationProperty() {}

  /** Parses {@code value} of the property {@code name}; the error names both. */
  static Duration parse(String name, String value) {
    String text = value.trim().toLowerCase(Locale.ROOT);
    Matcher matcher = SHORT.matcher(text);
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      String unit = matcher.group(2);
      if (unit == null) {
        if (amount != 0) {
          throw new IllegalArgumentException("table property '" + name + "' needs a unit (ms, s, m, h or d), "
              + "such as 5s, but was: " + value);
        }
        return Duration.ZERO;
      }
      switch (unit) {
        case "ms":
          return Duration.millis(amount);
        case "s":
          return Duration.standardSeconds(amount);
        case "m":
          return Duration.standardMinutes(amount);
        case "h":
          return Duration.standardHours(amount);
        default:
          return Duration.standardDays(amount);
      }
    }
    if (text.startsWith("p")) {
      try {
        java.time.Duration iso = java.time.Duration.parse(value.trim());
        if (!iso.isNegative()) {
          return Duration.millis(iso.toMillis());
        }
      } catch (java.time.format.DateTimeParseException | ArithmeticException e) {
        // not ISO-8601 either: the error below says what is accepted
      }
    }
    throw new IllegalArgumentException("table property '" + name + "' must be a duration such as 500ms, 5s, 2m, "
        + "1h or PT5S (at least 0), but was: " + value);
  }
}
