package dev.freshet.sql.shell;

import java.sql.SQLException;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.runtime.CalciteContextException;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.sql.parser.SqlParseException;

/**
 * Errors as the shell shows them: one line that says what was wrong and, for a statement that does
 * not parse or does not validate, where (line and column). Calcite wraps the cause several levels
 * deep ("Error while executing SQL ...") and appends the whole grammar to parse errors; the line
 * drops both. In verbose mode the whole chain stays, for sqlline to print its stack trace. The
 * server's SQL console ({@link dev.freshet.sql.workspace.SqlWorkspace}) reports errors the same way.
 */
public final class ShellErrors {
  private ShellErrors() {}

  static SQLException oneLine(Throwable error, boolean verbose) {
    SQLException shown = new SQLException(message(error));
    if (verbose) {
      shown.initCause(error);
    }
    return shown;
  }

  /**
   * The one-line message of {@code error}: for a statement that does not parse or validate, {@code
   * parse error at line L, column C: ...} or {@code error at line L, column C: ...}; otherwise the
   * innermost useful message of its causes.
   */
  public static String message(Throwable error) {
    Throwable innermostUseful = null;
    for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof SqlParseException parse) {
        return "parse error at line " + parse.getPos().getLineNum() + ", column " + parse.getPos().getColumnNum()
            + ": " + firstLine(parse.getMessage()).replaceFirst("\\s*at line \\d+, column \\d+\\.?$", "");
      }
      if (cause instanceof CalciteContextException context) {
        return "error at line " + context.getPosLine() + ", column " + context.getPosColumn() + ": "
            + firstLine(context.getCause() == null ? context.getMessage() : context.getCause().getMessage());
      }
      if (cause instanceof IllegalArgumentException || cause instanceof IllegalStateException
          || cause instanceof UnsupportedOperationException) {
        innermostUseful = cause;
      }
      if (cause.getCause() == null && innermostUseful == null) {
        innermostUseful = cause;
      }
    }
    String message = innermostUseful == null ? null : innermostUseful.getMessage();
    return message == null ? String.valueOf(innermostUseful) : firstLine(message);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int end = message.indexOf('\n');
    return (end < 0 ? message : message.substring(0, end)).strip();
  }
}
