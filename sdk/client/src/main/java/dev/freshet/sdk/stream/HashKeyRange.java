package dev.freshet.sdk.stream;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import java.math.BigInteger;

/**
 * An inclusive range of 128-bit hash keys owned by a shard. A record goes to the open shard whose
 * range holds the MD5 of its partition key, read as an unsigned 128-bit integer, or its explicit
 * hash key.
 */
@AutoValue
public abstract class HashKeyRange {
  /** The largest hash key, 2^128 − 1. */
  public static final BigInteger MAX_HASH_KEY = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

  /** The whole hash-key space, 0 … 2^128 − 1. */
  public static HashKeyRange all() {
    return of(BigInteger.ZERO, MAX_HASH_KEY);
  }

  /** A range from {@code start} to {@code end}, both inclusive. */
  public static HashKeyRange of(BigInteger start, BigInteger end) {
    checkArgument(start.signum() >= 0 && start.compareTo(MAX_HASH_KEY) <= 0,
        "startingHashKey must be between 0 and 2^128-1, but was: %s", start);
    checkArgument(end.signum() >= 0 && end.compareTo(MAX_HASH_KEY) <= 0,
        "endingHashKey must be between 0 and 2^128-1, but was: %s", end);
    checkArgument(start.compareTo(end) <= 0,
        "startingHashKey %s must not be greater than endingHashKey %s", start, end);
    return new AutoValue_HashKeyRange(start, end);
  }

  public abstract BigInteger startingHashKey();

  public abstract BigInteger endingHashKey();

  /** Whether {@code hashKey} falls in this range. */
  public boolean contains(BigInteger hashKey) {
    return startingHashKey().compareTo(hashKey) <= 0 && endingHashKey().compareTo(hashKey) >= 0;
  }

  /** Whether this range ends exactly where {@code other} starts, or the other way round. */
  public boolean isAdjacentTo(HashKeyRange other) {
    return endingHashKey().add(BigInteger.ONE).equals(other.startingHashKey())
        || other.endingHashKey().add(BigInteger.ONE).equals(startingHashKey());
  }
}
