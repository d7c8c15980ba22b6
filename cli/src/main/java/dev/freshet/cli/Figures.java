package dev.freshet.cli;

import java.util.Locale;

/** How the CLI prints counts, sizes and rates: grouped digits, decimal megabytes. */
final class Figures {
  private Figures() {}

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String bytes(long n) {
    return n < 1_000_000
        ? String.format(Locale.ROOT, "%.1f kB", n / 1e3)
        : String.format(Locale.ROOT, "%.1f MB", n / 1e6);
  }

  /** Megabytes (10^6 bytes) per second. */
  static String megabytesPerSecond(long bytes, double seconds) {
    return String.format(Locale.ROOT, "%.2f MB/s", bytes / 1e6 / Math.max(seconds, 1e-9));
  }

  static String perSecond(long n, double seconds) {
    return count(Math.round(n / Math.max(seconds, 1e-9)));
  }
}
