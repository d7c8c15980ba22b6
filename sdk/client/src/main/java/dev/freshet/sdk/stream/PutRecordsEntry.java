package dev.freshet.sdk.stream;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * One record to write: a data blob (at most 1 MiB), a partition key (1 to 256 Unicode characters)
 * and, optionally, an explicit hash key (decimal, 0 … 2^128 − 1) that overrides the key's hash for
 * routing. The store validates all three and names what is wrong.
 *
 * <p><b>Idempotent writes (a Freshet extension).</b> {@link #withProducer(String, BigInteger)} adds
 * a producer id and a producer sequence: a Freshet store writes a record of a given producer and
 * sequence into a shard once, and answers a repeat of it as a success with the shard and, where it
 * still knows it, the original sequence number, without appending it again. See {@link
 * StreamClient#putRecords} for the contract. Entries without a producer are written as the service
 * writes them: every time they are sent.
 */
@AutoValue
public abstract class PutRecordsEntry {
  /** Longest producer id, in characters. */
  public static final int MAX_PRODUCER_ID_CHARS = 256;

  /** Largest producer sequence: 10^128 − 1 (at most 128 decimal digits). */
  public static final BigInteger MAX_PRODUCER_SEQUENCE = BigInteger.TEN.pow(128).subtract(BigInteger.ONE);

  public static PutRecordsEntry of(String partitionKey, byte[] data) {
    return new AutoValue_PutRecordsEntry(partitionKey, null, data, null, null);
  }

  public static PutRecordsEntry of(String partitionKey, String utf8Data) {
    return of(partitionKey, utf8Data.getBytes(StandardCharsets.UTF_8));
  }

  public static PutRecordsEntry of(String partitionKey, @Nullable String explicitHashKey, byte[] data) {
    return new AutoValue_PutRecordsEntry(partitionKey, explicitHashKey, data, null, null);
  }

  public abstract String partitionKey();

  public abstract @Nullable String explicitHashKey();

  @SuppressWarnings("mutable")
  public abstract byte[] data();

  /** The producer of an idempotent write; null for a plain write. */
  public abstract @Nullable String producerId();

  /** The record's position in its producer's sequence; null exactly when {@link #producerId()} is. */
  public abstract @Nullable BigInteger producerSequence();

  /** Whether this entry carries a producer id and sequence. */
  public boolean isIdempotent() {
    return producerId() != null;
  }

  /**
   * This entry as an idempotent write by {@code producerId} (1 to {@value #MAX_PRODUCER_ID_CHARS}
   * characters) at {@code sequence} (0 to {@link #MAX_PRODUCER_SEQUENCE}). A producer numbers its
   * records in increasing order; two records of one producer with the same sequence are the same
   * record, and the second is not written.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public PutRecordsEntry withProducer(String producerId, BigInteger sequence) {
    checkNotNull(producerId, "producerId");
    checkNotNull(sequence, "sequence");
    int chars = producerId.codePointCount(0, producerId.length());
    checkArgument(chars >= 1 && chars <= MAX_PRODUCER_ID_CHARS,
        "producerId must have 1 to %s characters, but had: %s", MAX_PRODUCER_ID_CHARS, chars);
    checkArgument(sequence.signum() >= 0 && sequence.compareTo(MAX_PRODUCER_SEQUENCE) <= 0,
        "producer sequence must be between 0 and 10^128 - 1, but was: %s", sequence);
    return new AutoValue_PutRecordsEntry(partitionKey(), explicitHashKey(), data(), producerId, sequence);
  }
}
