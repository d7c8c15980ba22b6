package dev.freshet.kinesis.store;

import static com.google.common.base.Preconditions.checkArgument;

import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.ValidationException;
import java.nio.charset.StandardCharsets;

/**
 * The store's sequence numbers and shard ids, and the checks on the ones clients send back.
 *
 * <p>A sequence number is a fixed-width decimal string: {@code "49"}, the shard ordinal in 8
 * digits, then the record's offset in the shard in 20 digits (30 digits in all). Why this shape:
 *
 * <ul>
 *   <li>Fixed width makes string order equal numeric order, so the store, checkpoints and clients
 *       can compare them as strings without parsing.
 *   <li>The leading {@code 49} (like the service's numbers) means there is never a leading zero,
 *       so every number matches the API pattern {@code 0|([1-9]\d{0,128})}.
 *   <li>The shard ordinal sits above the offset, so numbers are unique within a stream and a child
 *       shard (always given a higher ordinal than its parents) has greater numbers than they do.
 *   <li>A number names its own shard, so a number from another shard is rejected without a lookup.
 * </ul>
 *
 * <p>Numbers are made once per record, so {@link #format} fills a byte array by hand rather than
 * going through {@code String.format} or {@code BigInteger}.
 */
final class SequenceNumbers {
  /** The number of characters in every sequence number this store issues. */
  static final int LENGTH = 30;

  /** The largest shard ordinal that fits the 8 digits a sequence number gives it. */
  static final int MAX_SHARD_ORDINAL = 99_999_999;

  /** The account id the local store reports in ARNs and messages. */
  static final String LOCAL_ACCOUNT_ID = "000000000000";

  private static final int ORDINAL_DIGITS = 8;
  private static final int OFFSET_DIGITS = 20;
  private static final int ORDINAL_START = 2;
  private static final int OFFSET_START = ORDINAL_START + ORDINAL_DIGITS;

  private static final String SHARD_ID_PREFIX = "shardId-";
  private static final int SHARD_ID_DIGITS = 12;
  private static final int SHARD_ID_LENGTH = SHARD_ID_PREFIX.length() + SHARD_ID_DIGITS;

  private SequenceNumbers() {}

  /** The digits after {@link #prefix}: the record's offset plus one. */
  static final int OFFSET_DIGITS_AFTER_PREFIX = LENGTH - ORDINAL_START - ORDINAL_DIGITS;

  /** The digits every sequence number of the shard with {@code shardOrdinal} starts with. */
  static String prefix(int shardOrdinal) {
    return format(shardOrdinal, 0).substring(0, OFFSET_START);
  }

  /**
   * The sequence number of the record at {@code offset} in the shard with {@code shardOrdinal}.
   *
   * @throws IllegalArgumentException if the ordinal is outside 0 … {@value #MAX_SHARD_ORDINAL} or
   *     the offset is negative; both are the store's own bugs, not a client's.
   */
  static String format(int shardOrdinal, long offset) {
    if (shardOrdinal < 0 || shardOrdinal > MAX_SHARD_ORDINAL) {
      throw new IllegalArgumentException(
          "shardOrdinal must be between 0 and " + MAX_SHARD_ORDINAL + ", but was: " + shardOrdinal);
    }
    if (offset < 0) {
      throw new IllegalArgumentException("offset must not be negative, but was: " + offset);
    }
    // Latin-1 bytes become the String's backing array directly under compact strings.
    byte[] digits = new byte[LENGTH];
    digits[0] = '4';
    digits[1] = '9';
    int ordinal = shardOrdinal;
    for (int i = OFFSET_START - 1; i >= ORDINAL_START; i--) {
      digits[i] = (byte) ('0' + ordinal % 10);
      ordinal /= 10;
    }
    long rest = offset;
    for (int i = LENGTH - 1; i >= OFFSET_START; i--) {
      digits[i] = (byte) ('0' + (int) (rest % 10));
      rest /= 10;
    }
    return new String(digits, StandardCharsets.ISO_8859_1);
  }

  /**
   * The shard ordinal encoded in a sequence number this store issued.
   *
   * @throws InvalidArgumentException if {@code sequenceNumber} is null or not one of this store's
   *     numbers; the message names the value.
   */
  static int shardOrdinal(String sequenceNumber) {
    checkWellFormed(sequenceNumber);
    int ordinal = 0;
    for (int i = ORDINAL_START; i < OFFSET_START; i++) {
      ordinal = ordinal * 10 + (sequenceNumber.charAt(i) - '0');
    }
    return ordinal;
  }

  /**
   * The offset in its shard encoded in a sequence number this store issued.
   *
   * @throws InvalidArgumentException if {@code sequenceNumber} is null or not one of this store's
   *     numbers, including an offset beyond {@link Long#MAX_VALUE}; the message names the value.
   */
  static long offset(String sequenceNumber) {
    checkWellFormed(sequenceNumber);
    long offset = 0;
    for (int i = OFFSET_START; i < LENGTH; i++) {
      int digit = sequenceNumber.charAt(i) - '0';
      if (offset > (Long.MAX_VALUE - digit) / 10) {
        throw malformed(sequenceNumber, "its offset is too large");
      }
      offset = offset * 10 + digit;
    }
    return offset;
  }

  /**
   * Checks that a sequence number sent to GetShardIterator was issued for the shard it is used on.
   *
   * @param shardId the id of the shard with {@code shardOrdinal}, for the message
   * @throws InvalidArgumentException in the service's words if it is malformed or from another
   *     shard or stream
   */
  static void checkBelongsTo(
      String sequenceNumber, int shardOrdinal, String shardId, String streamName) {
    boolean belongs;
    try {
      belongs = shardOrdinal(sequenceNumber) == shardOrdinal;
    } catch (InvalidArgumentException e) {
      belongs = false;
    }
    if (!belongs) {
      throw new InvalidArgumentException(
          "StartingSequenceNumber "
              + sequenceNumber
              + " used in GetShardIterator on shard "
              + shardId
              + " in stream "
              + streamName
              + " under account "
              + LOCAL_ACCOUNT_ID
              + " is invalid because it did not come from this stream.");
    }
  }

  /**
   * The ordinal of a shard id of the form {@code shardId-000000000042}.
   *
   * @throws ValidationException naming the value if it is null or not of that form; a caller
   *     that must answer "no such shard" for a well-formed but unknown id checks {@link
   *     #isShardId} first
   */
  static int ordinalOf(String shardId) {
    if (!isShardId(shardId)) {
      throw new ValidationException(
          "Invalid ShardId: '"
              + shardId
              + "'; expected 'shardId-' followed by "
              + SHARD_ID_DIGITS
              + " digits, like shardId-000000000000");
    }
    long ordinal = 0;
    for (int i = SHARD_ID_PREFIX.length(); i < SHARD_ID_LENGTH; i++) {
      ordinal = ordinal * 10 + (shardId.charAt(i) - '0');
    }
    if (ordinal > MAX_SHARD_ORDINAL) {
      throw new ValidationException(
          "Invalid ShardId: '" + shardId + "'; shard numbers go up to " + MAX_SHARD_ORDINAL);
    }
    return (int) ordinal;
  }

  /** Whether {@code shardId} has the form of the ids this store gives its shards. */
  static boolean isShardId(String shardId) {
    if (shardId == null
        || shardId.length() != SHARD_ID_LENGTH
        || !shardId.startsWith(SHARD_ID_PREFIX)) {
      return false;
    }
    for (int i = SHARD_ID_PREFIX.length(); i < SHARD_ID_LENGTH; i++) {
      char c = shardId.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * The id of the shard with {@code ordinal}: {@code shardId-} and the ordinal in 12 digits.
   *
   * @throws IllegalArgumentException if the ordinal is outside 0 … {@value #MAX_SHARD_ORDINAL}
   */
  static String shardId(int ordinal) {
    checkArgument(
        ordinal >= 0 && ordinal <= MAX_SHARD_ORDINAL,
        "shardOrdinal must be between 0 and %s, but was: %s",
        MAX_SHARD_ORDINAL,
        ordinal);
    char[] id = new char[SHARD_ID_LENGTH];
    SHARD_ID_PREFIX.getChars(0, SHARD_ID_PREFIX.length(), id, 0);
    int rest = ordinal;
    for (int i = SHARD_ID_LENGTH - 1; i >= SHARD_ID_PREFIX.length(); i--) {
      id[i] = (char) ('0' + rest % 10);
      rest /= 10;
    }
    return new String(id);
  }

  private static void checkWellFormed(String sequenceNumber) {
    if (sequenceNumber == null) {
      throw new InvalidArgumentException("Invalid sequence number: it must not be null");
    }
    if (sequenceNumber.length() != LENGTH) {
      throw malformed(sequenceNumber, "it must have " + LENGTH + " digits");
    }
    for (int i = 0; i < LENGTH; i++) {
      char c = sequenceNumber.charAt(i);
      if (c < '0' || c > '9') {
        throw malformed(sequenceNumber, "it must contain only digits");
      }
    }
    if (sequenceNumber.charAt(0) != '4' || sequenceNumber.charAt(1) != '9') {
      throw malformed(sequenceNumber, "it must start with 49");
    }
  }

  private static InvalidArgumentException malformed(String sequenceNumber, String reason) {
    return new InvalidArgumentException(
        "Invalid sequence number '"
            + sequenceNumber
            + "': "
            + reason
            + "; this store issues 30-digit numbers starting with 49");
  }
}
