package dev.freshet.agent;

import com.google.common.collect.ImmutableList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code CSVTOJSON}: splits the record at {@code delimiter} (a regular expression, as in the Kinesis
 * Agent; default {@code ,}) and writes a JSON object with {@code customFieldNames} as keys, in
 * order. A missing column is null; extra columns are left out. No quoting: a delimiter inside a
 * value splits it, as in the Kinesis Agent.
 */
final class CsvToJson implements DataProcessingOption {
  private final ImmutableList<String> fieldNames;
  private final Pattern delimiter;

  CsvToJson(List<String> fieldNames, Pattern delimiter) {
    this.fieldNames = ImmutableList.copyOf(fieldNames);
    this.delimiter = delimiter;
  }

  @Override
  public String apply(String record) {
    String[] columns = delimiter.split(Records.withoutNewLine(record), -1);
    Map<String, String> fields = new LinkedHashMap<>();
    for (int i = 0; i < fieldNames.size(); i++) {
      fields.put(fieldNames.get(i), i < columns.length ? columns[i] : null);
    }
    return Records.toJsonLine(fields);
  }

  @Override
  public String optionName() {
    return "CSVTOJSON";
  }
}
