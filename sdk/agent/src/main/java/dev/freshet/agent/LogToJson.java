package dev.freshet.agent;

import com.google.common.collect.ImmutableList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code LOGTOJSON}: parses a log line with a {@link LogFormat} (or with {@code matchPattern} and
 * {@code customFieldNames}) into a JSON object of its fields. A line that does not match is
 * dropped, as by the Kinesis Agent; the flow counts it as skipped.
 */
final class LogToJson implements DataProcessingOption {
  private final Pattern pattern;
  private final ImmutableList<String> fieldNames;
  private final boolean dashIsNull;

  LogToJson(Pattern pattern, List<String> fieldNames, boolean dashIsNull) {
    this.pattern = pattern;
    this.fieldNames = ImmutableList.copyOf(fieldNames);
    this.dashIsNull = dashIsNull;
  }

  @Override
  public @Nullable String apply(String record) {
    Matcher m = pattern.matcher(Records.withoutNewLine(record));
    if (!m.matches()) {
      return null;
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (int i = 0; i < fieldNames.size(); i++) {
      String value = m.group(i + 1);
      fields.put(fieldNames.get(i), dashIsNull && "-".equals(value) ? null : value);
    }
    return Records.toJsonLine(fields);
  }

  @Override
  public String optionName() {
    return "LOGTOJSON";
  }
}
