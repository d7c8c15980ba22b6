package dev.freshet.cli;

/**
 * A failure caused by the user's input or environment (a bad line, a missing file), printed as
 * {@code error: <message>} with exit code 1. The message says what was wrong and where.
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(message);
  }

  CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
