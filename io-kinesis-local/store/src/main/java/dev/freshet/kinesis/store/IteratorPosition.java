package dev.freshet.kinesis.store;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;

/**
 * Where a shard iterator points: the next record to read is at {@link #offset()} in the shard with
 * {@link #shardOrdinal()} of the stream {@link #streamName()}.
 *
 * <p>The position is what {@link ShardIterators} seals into the opaque iterator string, so the
 * store keeps no state per iterator. {@link #streamIncarnation()} tells apart streams that reuse a
 * deleted stream's name, so an old iterator cannot read the new stream; {@link #issuedAtMillis()}
 * lets iterators expire like the service's.
 */
@AutoValue
abstract class IteratorPosition {
  /** The longest stream name the service allows, which bounds the iterator's length. */
  static final int MAX_STREAM_NAME_LENGTH = 128;

  /**
   * A position; pass 0 for {@code issuedAtMillis} when building one to encode, since {@link
   * ShardIterators#encode} stamps it from its clock.
   */
  static IteratorPosition of(
      String streamName,
      long streamIncarnation,
      int shardOrdinal,
      long offset,
      long issuedAtMillis) {
    checkNotNull(streamName, "streamName");
    checkArgument(
        !streamName.isEmpty() && streamName.length() <= MAX_STREAM_NAME_LENGTH,
        "streamName must have 1 to %s characters, but has %s",
        MAX_STREAM_NAME_LENGTH,
        streamName.length());
    checkArgument(
        shardOrdinal >= 0, "shardOrdinal must not be negative, but was: %s", shardOrdinal);
    checkArgument(offset >= 0, "offset must not be negative, but was: %s", offset);
    return new AutoValue_IteratorPosition(
        streamName, streamIncarnation, shardOrdinal, offset, issuedAtMillis);
  }

  abstract String streamName();

  abstract long streamIncarnation();

  abstract int shardOrdinal();

  /** The offset in the shard of the next record to return. */
  abstract long offset();

  /** When the iterator was issued, in milliseconds since the epoch; 0 before encoding. */
  abstract long issuedAtMillis();

  /** The same shard at another offset, for the next iterator after a read. */
  IteratorPosition withOffset(long offset) {
    return of(streamName(), streamIncarnation(), shardOrdinal(), offset, 0);
  }

  IteratorPosition withIssuedAtMillis(long issuedAtMillis) {
    return of(streamName(), streamIncarnation(), shardOrdinal(), offset(), issuedAtMillis);
  }
}
