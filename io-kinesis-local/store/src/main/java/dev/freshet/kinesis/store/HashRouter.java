package dev.freshet.kinesis.store;

import static com.google.common.base.Preconditions.checkArgument;

import dev.freshet.sdk.stream.HashKeyRange;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.ValidationException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An immutable routing table from 128-bit hash keys to the open shards of a stream.
 *
 * <p>A record goes to the open shard whose hash-key range holds the MD5 of its UTF-8 partition
 * key, read as an unsigned big-endian 128-bit integer, or its explicit hash key. Routing runs once
 * per record, so the range starts are held as pairs of {@code long}s compared unsigned and found by
 * binary search, with no {@link BigInteger} per record. A stream swaps in a new router when a
 * reshard changes its open shards; the old one stays valid for callers still holding it.
 */
final class HashRouter {
  /** 2^128, the size of the hash-key space. */
  private static final BigInteger HASH_SPACE = BigInteger.ONE.shiftLeft(128);

  private static final BigInteger LONG_MASK = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  /** The API's pattern for ExplicitHashKey. */
  private static final Pattern EXPLICIT_HASH_KEY = Pattern.compile("0|([1-9]\\d{0,38})");

  private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(HashRouter::md5);

  /** High and low 64 bits of each range's start, in ascending order; starts[0] is 0. */
  private final long[] startHigh;

  private final long[] startLow;
  private final int[] shardOrdinals;

  private HashRouter(long[] startHigh, long[] startLow, int[] shardOrdinals) {
    this.startHigh = startHigh;
    this.startLow = startLow;
    this.shardOrdinals = shardOrdinals;
  }

  /**
   * A router over the open shards whose ranges are {@code ranges}, the i-th owned by the shard
   * with ordinal {@code shardOrdinals[i]}. The ranges may come in any order.
   *
   * @throws IllegalArgumentException if the lengths differ, there are no ranges, or the ranges do
   *     not tile 0 … 2^128 − 1 exactly (a gap or an overlap would route records nowhere or twice)
   */
  static HashRouter of(List<HashKeyRange> ranges, int[] shardOrdinals) {
    checkArgument(
        ranges.size() == shardOrdinals.length,
        "got %s hash-key ranges but %s shard ordinals",
        ranges.size(),
        shardOrdinals.length);
    checkArgument(!ranges.isEmpty(), "a stream needs at least one open shard to route to");
    Integer[] order = new Integer[ranges.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparing(i -> ranges.get(i).startingHashKey()));

    long[] high = new long[order.length];
    long[] low = new long[order.length];
    int[] ordinals = new int[order.length];
    BigInteger expectedStart = BigInteger.ZERO;
    for (int i = 0; i < order.length; i++) {
      HashKeyRange range = ranges.get(order[i]);
      BigInteger start = range.startingHashKey();
      if (!start.equals(expectedStart)) {
        throw new IllegalArgumentException(
            (start.compareTo(expectedStart) > 0 ? "gap" : "overlap")
                + " in hash-key ranges: the range of shard "
                + shardOrdinals[order[i]]
                + " starts at "
                + start
                + " but the previous range ends at "
                + expectedStart.subtract(BigInteger.ONE));
      }
      high[i] = start.shiftRight(64).longValue();
      low[i] = start.longValue();
      ordinals[i] = shardOrdinals[order[i]];
      expectedStart = range.endingHashKey().add(BigInteger.ONE);
    }
    checkArgument(
        expectedStart.equals(HASH_SPACE),
        "gap in hash-key ranges: the last range ends at %s instead of 2^128-1",
        expectedStart.subtract(BigInteger.ONE));
    return new HashRouter(high, low, ordinals);
  }

  /**
   * The service's even split of the hash-key space into {@code n} ranges: range i starts at
   * floor(i × 2^128 / n) and ends one before the next start; the last ends at 2^128 − 1.
   */
  static List<HashKeyRange> evenRanges(int n) {
    checkArgument(n >= 1, "the number of shards must be at least 1, but was: %s", n);
    BigInteger count = BigInteger.valueOf(n);
    List<HashKeyRange> ranges = new ArrayList<>(n);
    BigInteger start = BigInteger.ZERO;
    for (int i = 1; i <= n; i++) {
      BigInteger nextStart = HASH_SPACE.multiply(BigInteger.valueOf(i)).divide(count);
      ranges.add(HashKeyRange.of(start, nextStart.subtract(BigInteger.ONE)));
      start = nextStart;
    }
    return ranges;
  }

  /** The ordinal of the shard that owns the MD5 hash key of {@code partitionKey}. */
  int route(String partitionKey) {
    byte[] digest = digest(partitionKey);
    return route(readLong(digest, 0), readLong(digest, 8));
  }

  /**
   * The ordinal of the shard that owns {@code explicitHashKey}.
   *
   * @throws InvalidArgumentException if the key is outside 0 … 2^128 − 1
   */
  int route(BigInteger explicitHashKey) {
    checkInRange(explicitHashKey);
    return route(
        explicitHashKey.shiftRight(64).longValue(), explicitHashKey.and(LONG_MASK).longValue());
  }

  /** The number of open shards this router routes to. */
  int shardCount() {
    return shardOrdinals.length;
  }

  /**
   * The hash key of {@code partitionKey}: the MD5 of its UTF-8 bytes as an unsigned 128-bit
   * integer. For describing and testing; routing does not build a {@link BigInteger}.
   */
  static BigInteger hashKey(String partitionKey) {
    return new BigInteger(1, digest(partitionKey));
  }

  /**
   * Parses an ExplicitHashKey sent by a client.
   *
   * @throws ValidationException if it is null or not a decimal matching the API pattern {@code
   *     0|([1-9]\d{0,38})}
   * @throws InvalidArgumentException if it is a decimal above 2^128 − 1
   */
  static BigInteger parseExplicitHashKey(String s) {
    if (s == null || !EXPLICIT_HASH_KEY.matcher(s).matches()) {
      throw new ValidationException(
          "Value '"
              + s
              + "' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular"
              + " expression pattern: 0|([1-9]\\d{0,38})");
    }
    BigInteger key = new BigInteger(s);
    checkInRange(key);
    return key;
  }

  private int route(long high, long low) {
    // The last range whose start is <= key; starts[0] is 0, so there always is one.
    int lo = 0;
    int hi = startHigh.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (compareUnsigned128(startHigh[mid], startLow[mid], high, low) <= 0) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return shardOrdinals[lo];
  }

  private static int compareUnsigned128(long aHigh, long aLow, long bHigh, long bLow) {
    int byHigh = Long.compareUnsigned(aHigh, bHigh);
    return byHigh != 0 ? byHigh : Long.compareUnsigned(aLow, bLow);
  }

  private static void checkInRange(BigInteger key) {
    if (key.signum() < 0 || key.bitLength() > 128) {
      throw new InvalidArgumentException(
          "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]."
              + " Specified value was "
              + key);
    }
  }

  private static byte[] digest(String partitionKey) {
    MessageDigest md5 = MD5.get();
    // digest() resets the instance, so a failure half way cannot poison the next call.
    return md5.digest(partitionKey.getBytes(StandardCharsets.UTF_8));
  }

  private static long readLong(byte[] bytes, int from) {
    long value = 0;
    for (int i = from; i < from + 8; i++) {
      value = (value << 8) | (bytes[i] & 0xFF);
    }
    return value;
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide MD5", e);
    }
  }
}
