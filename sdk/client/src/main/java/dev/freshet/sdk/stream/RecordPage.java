package dev.freshet.sdk.stream;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * An immutable page of records read in one call, kept in the form it arrived in: a reader that
 * builds its own record type (StreamIO's {@code StreamRecord}) takes each record's fields from here
 * with {@link #sequenceNumber}, {@link #arrivalMillis}, {@link #partitionKey} and {@link #data}, and
 * no {@link Record} is built in between; {@link #get} builds one for everybody else.
 *
 * <p>{@link GetRecordsResult#of} keeps a page as it is rather than copying it into a list of
 * records. Implementations must be immutable and safe to read from any thread.
 */
public abstract class RecordPage extends AbstractList<Record> implements RandomAccess {
  /** "00" to "99": the two digits of each value below 100. */
  private static final byte[] PAIRS = new byte[200];

  static {
    for (int i = 0; i < 100; i++) {
      PAIRS[2 * i] = (byte) ('0' + i / 10);
      PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
    }
  }

  /**
   * The sequence number of record {@code index}: {@link #sequencePrefix()}, then {@link
   * #sequenceValue} zero-padded to {@link #sequenceDigits()} digits.
   */
  public String sequenceNumber(int index) {
    return sequenceNumber(sequencePrefix(), sequenceValue(index), sequenceDigits());
  }

  /** The digits every sequence number of the page starts with. */
  public abstract String sequencePrefix();

  /** How many digits follow the prefix in each sequence number. */
  public abstract int sequenceDigits();

  /** What follows the prefix in the sequence number of record {@code index}, as a number. */
  public abstract long sequenceValue(int index);

  /**
   * {@code prefix}, then {@code value} zero-padded to {@code digits} digits: a sequence number kept
   * as its parts, written out.
   *
   * @throws IllegalArgumentException if {@code prefix} is not Latin-1, or {@code value} is negative or
   *     has more than {@code digits} digits
   */
  public static String sequenceNumber(String prefix, long value, int digits) {
    checkArgument(value >= 0, "a sequence value must not be negative, but was: %s", value);
    checkArgument(digits >= 1 && digits <= 20, "digits must be 1 to 20, but was: %s", digits);
    byte[] out = new byte[prefix.length() + digits];
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      checkArgument(c <= 0xFF, "a sequence prefix must be Latin-1, but was: %s", prefix);
      out[i] = (byte) c;
    }
    int at = out.length;
    long rest = value;
    while (rest >= 100 && at - 2 >= prefix.length()) {
      int pair = (int) (rest % 100);
      rest /= 100;
      out[--at] = PAIRS[2 * pair + 1];
      out[--at] = PAIRS[2 * pair];
    }
    while (at > prefix.length()) {
      out[--at] = (byte) ('0' + (int) (rest % 10));
      rest /= 10;
    }
    checkArgument(rest == 0, "sequence value %s has more than %s digits", value, digits);
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  /** The arrival time of record {@code index}, in epoch milliseconds. */
  public abstract long arrivalMillis(int index);

  /** The partition key of record {@code index}. */
  public abstract String partitionKey(int index);

  /** The data of record {@code index}: a new array on every call. */
  public abstract byte[] data(int index);

  /** The data length of record {@code index}, without copying it. */
  public abstract int dataLength(int index);

  /** The encryption type of record {@code index}. */
  public abstract EncryptionType encryptionType(int index);

  @Override
  public Record get(int index) {
    return Record.of(sequenceNumber(index), Instant.ofEpochMilli(arrivalMillis(index)), partitionKey(index),
        data(index), encryptionType(index));
  }
}
