package dev.freshet.kinesis.video;

/**
 * Fragment numbers: 47-digit decimal strings like the service's, a fixed prefix followed by the
 * fragment's offset in its stream's log, so that they increase (as numbers and as strings) in the
 * order the fragments were stored.
 */
final class FragmentNumbers {
  static final String PREFIX = "91343852333181432392682";
  static final int DIGITS = 24;

  private FragmentNumbers() {}

  static String of(long offset) {
    String digits = Long.toString(offset);
    return PREFIX + "0".repeat(DIGITS - digits.length()) + digits;
  }

  /** The offset a fragment number names. */
  static long offset(String fragmentNumber) {
    if (fragmentNumber == null || fragmentNumber.length() != PREFIX.length() + DIGITS
        || !fragmentNumber.startsWith(PREFIX) || !fragmentNumber.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw VideoException.invalid("Invalid fragment number: " + abbreviate(fragmentNumber)
          + "; fragment numbers are the 47-digit strings ListFragments and GetMedia return");
    }
    return Long.parseLong(fragmentNumber.substring(PREFIX.length()));
  }

  static String abbreviate(String value) {
    if (value == null) {
      return "null";
    }
    return value.length() > 64 ? value.substring(0, 64) + "…" : value;
  }
}
