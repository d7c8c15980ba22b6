package dev.freshet.agent;

import org.jspecify.annotations.Nullable;

/**
 * One of the agent's {@code dataProcessingOptions}, applied to each record in the order the flow
 * lists them: {@code SINGLELINE}, {@code CSVTOJSON}, {@code LOGTOJSON}. A record is the text of one
 * or more whole lines, each ending in {@code \n}; an option returns the new record, or null to drop
 * it (a line that does not match the log format, as the Kinesis Agent drops it).
 */
public interface DataProcessingOption {
  /** The record after this option, or null when the record is dropped. */
  @Nullable String apply(String record);

  /** The option's name in the configuration, for messages and the status line. */
  String optionName();
}
