package dev.freshet.agent;

/**
 * {@code SINGLELINE}: joins the lines of a multi-line record into one line, each line trimmed of
 * leading and trailing white space, and ends it with {@code \n}. The parse options {@code NO_TRIM}
 * (keep white space) and {@code ESCAPE_NEW_LINE} (join with the two characters {@code \n} instead
 * of nothing) follow the Kinesis Agent.
 */
final class SingleLine implements DataProcessingOption {
  private final boolean trim;
  private final boolean escapeNewLine;

  SingleLine(boolean trim, boolean escapeNewLine) {
    this.trim = trim;
    this.escapeNewLine = escapeNewLine;
  }

  @Override
  public String apply(String record) {
    String[] lines = record.split("\n");
    StringBuilder out = new StringBuilder(record.length());
    for (int i = 0; i < lines.length; i++) {
      if (i > 0 && escapeNewLine) {
        out.append("\\n");
      }
      out.append(trim ? lines[i].strip() : lines[i]);
    }
    return out.append('\n').toString();
  }

  @Override
  public String optionName() {
    return "SINGLELINE";
  }
}
