package dev.freshet.kinesis.store;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.ShardFilter;
import dev.freshet.sdk.stream.ShardFilterType;
import dev.freshet.sdk.stream.errors.ExpiredNextTokenException;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * One ListShards call: which stream, which shards (the request's filter and start), and the page
 * size. A NextToken carries all of it, so a continued listing needs nothing else — though, as Beam's
 * KinesisIO does, a caller may send the filter and stream again with the token (they must agree).
 */
final class ShardListing {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The content of a NextToken. */
  record Token(String stream, long incarnation, int afterOrdinal, @Nullable String filterType,
      @Nullable String filterShardId, @Nullable Long filterTimestamp, int maxResults, long issuedMillis) {}

  private final String streamName;
  private final long incarnation;
  private final int afterOrdinal;
  private final @Nullable ShardFilter filter;
  private final int maxResults;

  private ShardListing(String streamName, long incarnation, int afterOrdinal,
      @Nullable ShardFilter filter, int maxResults) {
    this.streamName = streamName;
    this.incarnation = incarnation;
    this.afterOrdinal = afterOrdinal;
    this.filter = filter;
    this.maxResults = maxResults;
  }

  /**
   * Starts the listing a request asks for, from its NextToken or from the stream it names. The
   * request's shape has been checked ({@link RequestValidation#checkListShards}); what is checked
   * here is the token: that this store issued it, that it has not expired, and that it is for the
   * stream the request names.
   */
  static ShardListing start(ListShardsRequest request, Arns arns, long nowMillis, long tokenTtlMillis) {
    Integer max = request.maxResults();
    if (request.nextToken() != null) {
      Token token = decode(request.nextToken());
      if (nowMillis - token.issuedMillis() > tokenTtlMillis) {
        throw new ExpiredNextTokenException("The NextToken has expired: it was issued at "
            + Instant.ofEpochMilli(token.issuedMillis()) + ", more than 300 seconds ago.");
      }
      if (request.stream() != null && !arns.streamName(request.stream()).equals(token.stream())) {
        throw new InvalidArgumentException("NextToken is for stream " + token.stream()
            + ", not for " + request.stream());
      }
      ShardFilter filter = token.filterType() == null ? null : ShardFilter.of(
          ShardFilterType.valueOf(token.filterType()), token.filterShardId(),
          token.filterTimestamp() == null ? null : Instant.ofEpochMilli(token.filterTimestamp()));
      return new ShardListing(token.stream(), token.incarnation(), token.afterOrdinal(), filter,
          max != null ? max : token.maxResults());
    }
    checkArgument(request.stream() != null, "a ListShards request without NextToken names a stream");
    int after = -1;
    if (request.exclusiveStartShardId() != null) {
      after = SequenceNumbers.ordinalOf(request.exclusiveStartShardId());
    }
    ShardFilter filter = request.shardFilter();
    if (filter != null && filter.type() == ShardFilterType.AFTER_SHARD_ID) {
      after = Math.max(after, SequenceNumbers.ordinalOf(filter.shardId()));
    }
    return new ShardListing(arns.streamName(request.stream()), 0, after, filter,
        max != null ? max : 1000);
  }

  String streamName() {
    return streamName;
  }

  /** The stream incarnation the token was issued for; 0 for a first page. */
  long incarnation() {
    return incarnation;
  }

  int maxResults() {
    return maxResults;
  }

  /** Whether {@code shard} belongs in this listing, as the service's ShardFilter types define. */
  boolean accepts(ShardState shard, long retentionCutoffMillis, long streamCreatedMillis) {
    if (shard.ordinal <= afterOrdinal) {
      return false;
    }
    if (filter == null) {
      return true;
    }
    switch (filter.type()) {
      case AFTER_SHARD_ID:
      case FROM_TRIM_HORIZON:
        return true;
      case AT_LATEST:
        return shard.isOpen();
      case AT_TRIM_HORIZON:
        // A stream younger than its retention: the trim horizon is its creation.
        return shard.wasOpenAt(Math.max(retentionCutoffMillis, streamCreatedMillis));
      case AT_TIMESTAMP:
        return shard.wasOpenAt(Math.max(filter.timestamp().toEpochMilli(), streamCreatedMillis));
      case FROM_TIMESTAMP:
        return shard.openAtOrAfter(filter.timestamp().toEpochMilli());
      default:
        throw new InvalidArgumentException("unknown ShardFilter type " + filter.type());
    }
  }

  String nextToken(long streamIncarnation, int lastOrdinal, long nowMillis) {
    Token token = new Token(streamName, streamIncarnation, lastOrdinal,
        filter == null ? null : filter.type().name(), filter == null ? null : filter.shardId(),
        filter == null || filter.timestamp() == null ? null : filter.timestamp().toEpochMilli(),
        maxResults, nowMillis);
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(MAPPER.writeValueAsBytes(token));
    } catch (IOException e) {
      throw new IllegalStateException("a listing token always serializes", e);
    }
  }

  private static Token decode(String nextToken) {
    try {
      return MAPPER.readValue(Base64.getUrlDecoder().decode(nextToken), Token.class);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidArgumentException("NextToken " + abbreviate(nextToken) + " is not a token this store issued");
    }
  }

  private static String abbreviate(String value) {
    return value.length() > 40 ? value.substring(0, 40) + "…" : value;
  }
}
