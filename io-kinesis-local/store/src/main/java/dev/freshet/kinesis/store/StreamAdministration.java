package dev.freshet.kinesis.store;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.kinesis.crypto.LocalKeyStore;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.EncryptionType;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.ListShardsResult;
import dev.freshet.sdk.stream.ListStreamsResult;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StreamDescription;
import dev.freshet.sdk.stream.StreamLimits;
import dev.freshet.sdk.stream.StreamMode;
import dev.freshet.sdk.stream.StreamStatus;
import dev.freshet.sdk.stream.StreamSummary;
import dev.freshet.sdk.stream.errors.ExpiredNextTokenException;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.ResourceInUseException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane of streams: create, delete, describe and list them and their shards, and
 * change their settings (retention, tags, capacity mode, enhanced monitoring, encryption), and
 * describe the account's limits. Requests are checked by {@link RequestValidation}; what depends
 * on a stream's state (ACTIVE, the current retention) is checked here, under the stream's monitor.
 */
final class StreamAdministration {
  private static final Logger LOG = LoggerFactory.getLogger(StreamAdministration.class);

  private static final long NEXT_TOKEN_TTL_MILLIS = 300_000;

  private final LocalStreamStore store;
  private final RequestValidation validation;
  private final Arns arns;
  private final LocalKeyStore keyStore;
  private final Subscriptions subscriptions;
  private final StoreMaintenance maintenance;
  private final StoreConfig config;

  StreamAdministration(LocalStreamStore store, RequestValidation validation, Arns arns,
      LocalKeyStore keyStore, Subscriptions subscriptions, StoreMaintenance maintenance) {
    this.store = checkNotNull(store, "store");
    this.validation = checkNotNull(validation, "validation");
    this.arns = checkNotNull(arns, "arns");
    this.keyStore = checkNotNull(keyStore, "keyStore");
    this.subscriptions = checkNotNull(subscriptions, "subscriptions");
    this.maintenance = checkNotNull(maintenance, "maintenance");
    this.config = store.config();
  }

  // ---- create and delete ----

  void createStream(CreateStreamRequest request) {
    checkNotNull(request, "request");
    store.checkOpen();
    validation.checkName("streamName", request.streamName());
    validation.checkTags(request.tags(), 0);
    int shardCount = request.streamMode() == StreamMode.ON_DEMAND
        ? config.onDemandInitialShards() : request.shardCount();
    validation.checkShardCount(shardCount);
    synchronized (store.streamsLock()) {
      StreamState existing = store.existing(request.streamName());
      if (existing != null) {
        if (existing.status(store.now()) == StreamStatus.DELETING && store.now() >= existing.statusUntilMillis()) {
          store.finishDelete(existing);
        } else {
          throw new ResourceInUseException(String.format(
              "Stream %s under account %s already exists.", request.streamName(), config.account()));
        }
      }
      validation.checkShardLimit(store.openShardCount(), shardCount);
      if (request.streamMode() == StreamMode.ON_DEMAND) {
        validation.checkOnDemandStreamLimit(store.onDemandCount());
      }
      store.addStream(request.streamName(), request.streamMode(), shardCount, request.tags());
    }
    LOG.info("Stream {} created: {} shards, {}", request.streamName(), shardCount, request.streamMode());
  }

  void deleteStream(String nameOrArn, boolean enforceConsumerDeletion) {
    StreamState stream = store.stream(nameOrArn);
    synchronized (store.streamsLock()) {
      if (stream.status(store.now()) == StreamStatus.DELETING) {
        return;
      }
      if (!stream.consumers().isEmpty()) {
        if (!enforceConsumerDeletion) {
          throw new ResourceInUseException(String.format(
              "Stream %s under account %s has %d registered consumers; deregister them or delete "
                  + "with EnforceConsumerDeletion", stream.name, config.account(), stream.consumers().size()));
        }
        for (String consumer : stream.consumers().keySet()) {
          subscriptions.endConsumer(stream.name, consumer);
        }
      }
      subscriptions.endStream(stream.name);
      if (config.statusDelay().isZero()) {
        store.finishDelete(stream);
      } else {
        stream.markDeleting(store.now());
      }
    }
    LOG.info("Stream {} deleted", stream.name);
  }

  // ---- describe and list ----

  StreamDescription describeStream(String nameOrArn) {
    StreamState stream = store.stream(nameOrArn);
    List<Shard> shards = new ArrayList<>();
    long cutoff = maintenance.retentionCutoff(stream);
    for (ShardState shard : stream.shards()) {
      if (StoreMaintenance.withinRetention(shard, cutoff)) {
        shards.add(shard.toShard());
      }
    }
    return StreamDescription.of(summary(stream), shards);
  }

  StreamSummary describeStreamSummary(String nameOrArn) {
    return summary(store.stream(nameOrArn));
  }

  private StreamSummary summary(StreamState stream) {
    String keyId = stream.keyId();
    return StreamSummary.builder()
        .setStreamName(stream.name)
        .setStreamArn(stream.arn)
        .setStreamStatus(stream.status(store.now()))
        .setStreamMode(stream.mode())
        .setRetentionPeriodHours(stream.retentionHours())
        .setCreationTimestamp(Instant.ofEpochMilli(stream.createdMillis))
        .setEncryptionType(keyId == null ? EncryptionType.NONE : EncryptionType.KMS)
        .setKeyId(keyId)
        .setOpenShardCount(stream.openShardCount())
        .setConsumerCount(stream.consumers().size())
        .setEnhancedMonitoring(stream.enhancedMonitoring())
        .build();
  }

  /**
   * Streams of this prefix hold the records of the Firehose service's DirectPut delivery streams
   * until they are delivered: ListStreams leaves them out; every other operation answers for them.
   */
  static final String INTERNAL_PREFIX = "__firehose-";

  ListStreamsResult listStreams(@Nullable String nextToken, int limit) {
    store.checkOpen();
    validation.checkListStreamsLimit(limit);
    String after = null;
    if (nextToken != null) {
      after = decodeToken(nextToken, "NextToken");
    }
    NavigableMap<String, StreamState> sorted = store.streamsByName();
    List<StreamSummary> page = new ArrayList<>();
    String last = null;
    boolean more = false;
    for (StreamState stream : (after == null ? sorted : sorted.tailMap(after, false)).values()) {
      if (stream.status(store.now()) == StreamStatus.DELETING && store.now() >= stream.statusUntilMillis()
          || stream.name.startsWith(INTERNAL_PREFIX)) {
        continue;
      }
      if (page.size() == limit) {
        more = true;
        break;
      }
      page.add(summary(stream));
      last = stream.name;
    }
    return ListStreamsResult.of(page, more ? encodeToken(last) : null);
  }

  private static String encodeToken(String value) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  private static String decodeToken(String token, String what) {
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException(what + " " + token + " is not a token this store issued");
    }
  }

  ListShardsResult listShards(ListShardsRequest request) {
    store.checkOpen();
    validation.checkListShards(request);
    ShardListing listing = ShardListing.start(request, arns, store.now(), NEXT_TOKEN_TTL_MILLIS);
    StreamState stream = store.stream(listing.streamName());
    if (listing.incarnation() != 0 && listing.incarnation() != stream.incarnation) {
      throw new ExpiredNextTokenException(
          "NextToken is for an earlier stream named " + stream.name + " that was deleted");
    }
    long cutoff = maintenance.retentionCutoff(stream);
    List<ShardState> candidates = new ArrayList<>();
    for (ShardState shard : stream.shards()) {
      if (StoreMaintenance.withinRetention(shard, cutoff) && listing.accepts(shard, cutoff, stream.createdMillis)) {
        candidates.add(shard);
      }
    }
    candidates.sort(Comparator.comparingInt(s -> s.ordinal));
    int max = listing.maxResults();
    List<Shard> page = new ArrayList<>();
    for (int i = 0; i < candidates.size() && i < max; i++) {
      page.add(candidates.get(i).toShard());
    }
    String next = candidates.size() > max
        ? listing.nextToken(stream.incarnation, candidates.get(max - 1).ordinal, store.now()) : null;
    return ListShardsResult.of(page, next);
  }

  StreamLimits describeLimits() {
    store.checkOpen();
    return StreamLimits.of(config.shardLimit(), store.openShardCount(), store.onDemandCount(),
        config.onDemandStreamLimit());
  }

  // ---- retention ----

  void increaseStreamRetentionPeriod(String nameOrArn, int hours) {
    StreamState stream = store.stream(nameOrArn);
    validation.checkRetentionRange(hours);
    synchronized (stream) {
      stream.checkActive(store.now(), config.account());
      if (hours < stream.retentionHours()) {
        throw new InvalidArgumentException(String.format(
            "Requested retention period (%d hours) for stream %s can not be shorter than existing "
                + "retention period (%d hours). Use DecreaseRetentionPeriod API.",
            hours, stream.name, stream.retentionHours()));
      }
      stream.setRetentionHours(hours);
      stream.markUpdating(store.now());
    }
  }

  void decreaseStreamRetentionPeriod(String nameOrArn, int hours) {
    StreamState stream = store.stream(nameOrArn);
    validation.checkRetentionRange(hours);
    synchronized (stream) {
      stream.checkActive(store.now(), config.account());
      if (hours > stream.retentionHours()) {
        throw new InvalidArgumentException(String.format(
            "Requested retention period (%d hours) for stream %s can not be longer than existing "
                + "retention period (%d hours). Use IncreaseRetentionPeriod API.",
            hours, stream.name, stream.retentionHours()));
      }
      stream.setRetentionHours(hours);
      stream.markUpdating(store.now());
    }
    maintenance.applyRetention(stream);
  }

  // ---- tags ----

  void addTagsToStream(String nameOrArn, Map<String, String> tags) {
    StreamState stream = store.stream(nameOrArn);
    synchronized (stream) {
      Map<String, String> current = stream.tags();
      int added = 0;
      for (String key : tags.keySet()) {
        if (!current.containsKey(key)) {
          added++;
        }
      }
      validation.checkTags(tags, current.size() + added - tags.size());
      stream.putTags(tags);
    }
  }

  void removeTagsFromStream(String nameOrArn, Collection<String> tagKeys) {
    StreamState stream = store.stream(nameOrArn);
    validation.checkTagKeys(tagKeys);
    stream.removeTags(tagKeys);
  }

  Map<String, String> listTagsForStream(String nameOrArn) {
    return store.stream(nameOrArn).tags();
  }

  // ---- mode and monitoring ----

  void updateStreamMode(String nameOrArn, StreamMode mode) {
    StreamState stream = store.stream(nameOrArn);
    synchronized (store.streamsLock()) {
      synchronized (stream) {
        stream.checkActive(store.now(), config.account());
        if (stream.mode() == mode) {
          return;
        }
        if (mode == StreamMode.ON_DEMAND) {
          validation.checkOnDemandStreamLimit(store.onDemandCount());
        }
        stream.setMode(mode);
        stream.markUpdating(store.now());
      }
    }
    LOG.info("Stream {} switched to {}", stream.name, mode);
  }

  /** Enables or disables shard-level metrics; returns the set before and after. */
  List<Set<String>> changeMonitoring(String nameOrArn, Collection<String> metrics, boolean enable) {
    StreamState stream = store.stream(nameOrArn);
    validation.checkShardLevelMetrics(metrics);
    synchronized (stream) {
      Set<String> before = stream.enhancedMonitoring();
      Set<String> requested = new LinkedHashSet<>();
      for (String metric : metrics) {
        if (metric.equals("ALL")) {
          RequestValidation.SHARD_LEVEL_METRICS.stream().filter(m -> !m.equals("ALL")).sorted()
              .forEach(requested::add);
        } else {
          requested.add(metric);
        }
      }
      Set<String> after = new LinkedHashSet<>(before);
      if (enable) {
        after.addAll(requested);
      } else {
        after.removeAll(requested);
      }
      stream.setEnhancedMonitoring(after);
      return List.of(before, after);
    }
  }

  // ---- encryption ----

  void startStreamEncryption(String nameOrArn, String keyId) {
    StreamState stream = store.stream(nameOrArn);
    validation.checkKeyId(keyId);
    boolean firstKey = keyStore.keyIds().isEmpty();
    keyStore.keyOrCreateAwsManaged(keyId);
    if (firstKey && config.keysBesideData()) {
      LocalStreamStore.warnKeysBesideData(config);
    }
    synchronized (stream) {
      stream.checkActive(store.now(), config.account());
      stream.setKeyId(keyId);
      stream.markUpdating(store.now());
    }
    LOG.info("Stream {}: encryption started with key {}", stream.name, keyId);
  }

  void stopStreamEncryption(String nameOrArn) {
    StreamState stream = store.stream(nameOrArn);
    synchronized (stream) {
      stream.checkActive(store.now(), config.account());
      stream.setKeyId(null);
      stream.markUpdating(store.now());
    }
    LOG.info("Stream {}: encryption stopped", stream.name);
  }
}
