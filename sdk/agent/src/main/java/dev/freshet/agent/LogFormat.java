package dev.freshet.agent;

import com.google.common.collect.ImmutableList;
import java.util.regex.Pattern;

/**
 * The log formats {@code LOGTOJSON} knows, with the field names the Kinesis Agent gives them. The
 * patterns follow the agent's (grok-style building blocks); a line must match the whole pattern.
 */
public enum LogFormat {
  /** Apache common log: {@code host ident authuser [datetime] "request" response bytes}. */
  COMMONAPACHELOG(Patterns.COMMON_APACHE_LOG + ".*",
      ImmutableList.of("host", "ident", "authuser", "datetime", "request", "response", "bytes"), true),
  /** Apache combined log: the common fields, then {@code "referer" "agent"}. */
  COMBINEDAPACHELOG(Patterns.COMMON_APACHE_LOG + " \"(" + Patterns.NOQUOTE + ")\" \"(" + Patterns.NOQUOTE + ")\".*",
      ImmutableList.of("host", "ident", "authuser", "datetime", "request", "response", "bytes", "referer", "agent"),
      true),
  /** Apache 2.2 error log: {@code [timestamp] [module:severity] [pid N:tid N] [client host] message}. */
  APACHEERRORLOG(Patterns.APACHE_ERROR_LOG,
      ImmutableList.of("timestamp", "module", "severity", "processid", "threadid", "client", "message"), true),
  /** BSD syslog: {@code Mmm dd hh:mm:ss host program[pid]: message}. */
  SYSLOG(Patterns.syslog(Patterns.SYSLOG_TIMESTAMP),
      ImmutableList.of("timestamp", "hostname", "program", "processid", "message"), false),
  /** Syslog with an RFC 3339 timestamp: {@code 2024-05-01T10:00:00.123+02:00 host program[pid]: message}. */
  RFC3339SYSLOG(Patterns.syslog(Patterns.RFC3339),
      ImmutableList.of("timestamp", "hostname", "program", "processid", "message"), false);

  private final Pattern pattern;
  private final ImmutableList<String> fieldNames;
  private final boolean dashIsNull;

  LogFormat(String pattern, ImmutableList<String> fieldNames, boolean dashIsNull) {
    this.pattern = Pattern.compile(pattern);
    this.fieldNames = fieldNames;
    this.dashIsNull = dashIsNull;
  }

  /** The pattern a line of this format matches, one capturing group per field. */
  public Pattern pattern() {
    return pattern;
  }

  /** The default field names, one per capturing group. */
  public ImmutableList<String> fieldNames() {
    return fieldNames;
  }

  /** Whether a field written as {@code -} means absent (the Apache formats), so becomes null. */
  boolean dashIsNull() {
    return dashIsNull;
  }

  /** The building blocks, as the Kinesis Agent's {@code PatternConstants} define them. */
  private static final class Patterns {
    static final String INT = "(?:[+-]?(?:[0-9]+))";
    static final String POSINT = "(?:[1-9][0-9]*)";
    static final String NONNEGINT = "(?:[0-9]+)";
    static final String WORD = "\\w+";
    static final String NOQUOTE = "[^\"]+";
    static final String IP = "(?:[\\d\\.]+)";
    static final String HOSTNAME = "(?:[\\w\\-]+)(?:\\.(?:[\\w\\-]+))*(?:\\.?|\\b)";
    static final String IPORHOST = "(?:" + HOSTNAME + "|" + IP + ")";
    static final String URIHOST = "(?:" + IPORHOST + "(?::" + POSINT + ")?)";
    static final String USER = "(?:[a-zA-Z0-9._-]+)";
    static final String MONTHDAY = "(?:(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9])";
    static final String DAY = "(?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)";
    static final String MONTH = "\\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?"
        + "|Aug(?:ust)?|Sep(?:tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\b";
    static final String YEAR = "(?:[1-9]\\d*)";
    static final String HOUR = "(?:2[0123]|[01]?[0-9])";
    static final String MINUTE = "(?:[0-5][0-9])";
    static final String SECOND = "(?:(?:[0-5]?[0-9]|60)(?:[:\\.,][0-9]+)?)";
    static final String TIME = "(?:" + HOUR + ":" + MINUTE + ":" + SECOND + ")";
    static final String HTTPDATE = "(?:" + MONTHDAY + "/" + MONTH + "/" + YEAR + ":" + TIME + "\\s" + INT + ")";
    static final String ERROR_LOG_TIMESTAMP = "(?:" + DAY + "\\s+" + MONTH + "\\s+" + MONTHDAY + "\\s+" + TIME + "\\s+" + YEAR + ")";
    static final String SYSLOG_TIMESTAMP = "(?:" + MONTH + "\\s+" + MONTHDAY + "\\s+" + TIME + ")";
    static final String RFC3339 = "(?:\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?)(?:Z|(?:[-+]\\d{2}:\\d{2}))";
    static final String SYSLOG_FACILITY = "<" + NONNEGINT + "." + NONNEGINT + ">";
    static final String PROG = "([\\w\\._/%-]+)";

    static final String COMMON_APACHE_LOG = "^(" + IPORHOST + ") (" + USER + ") (" + USER + ") \\[(" + HTTPDATE + ")\\] "
        + "\"(" + NOQUOTE + ")\" (" + INT + "|\\-) (" + INT + "|\\-)";
    static final String APACHE_ERROR_LOG = "^\\[(" + ERROR_LOG_TIMESTAMP + ")\\] \\[(?:(" + WORD + "):)?(" + WORD + ")\\] "
        + "\\[pid (" + NONNEGINT + ")(?::tid (" + NONNEGINT + "))?\\] \\[client (" + URIHOST + ")\\] (.*)";

    static String syslog(String timestamp) {
      return "^(" + timestamp + ") (?:" + SYSLOG_FACILITY + " )?(" + USER + ") " + PROG + "(?:\\[(" + POSINT + ")\\])?: (.*)";
    }

    private Patterns() {}
  }
}
