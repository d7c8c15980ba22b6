package dev.freshet.sdk.stream;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What to create: a stream name, its capacity mode, a shard count (provisioned streams) and tags.
 *
 * <pre>{@code
 * client.createStream(CreateStreamRequest.provisioned("clicks", 4));
 * client.createStream(CreateStreamRequest.onDemand("events").withTags(Map.of("team", "web")));
 * }</pre>
 */
@AutoValue
public abstract class CreateStreamRequest {
  /** A provisioned stream with {@code shardCount} shards splitting the hash-key space evenly. */
  public static CreateStreamRequest provisioned(String streamName, int shardCount) {
    checkArgument(shardCount >= 1, "shardCount must be at least 1, but was: %s", shardCount);
    return new AutoValue_CreateStreamRequest(streamName, shardCount, StreamMode.PROVISIONED, Map.of());
  }

  /**
   * An on-demand stream: it starts with {@code shardCount} shards (the service starts with 4) and
   * splits its hottest shards by itself under sustained write load.
   */
  public static CreateStreamRequest onDemand(String streamName) {
    return new AutoValue_CreateStreamRequest(streamName, null, StreamMode.ON_DEMAND, Map.of());
  }

  public abstract String streamName();

  /** The shard count; null for an on-demand stream, which starts with the store's default. */
  public abstract @Nullable Integer shardCount();

  public abstract StreamMode streamMode();

  public abstract Map<String, String> tags();

  /** The same request with these tags (at most 50) set on the new stream. */
  public CreateStreamRequest withTags(Map<String, String> tags) {
    return new AutoValue_CreateStreamRequest(streamName(), shardCount(), streamMode(), Map.copyOf(tags));
  }
}
