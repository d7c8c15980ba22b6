package dev.freshet.kinesis.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.RecordsRead;
import dev.freshet.sdk.stream.ChildShard;
import dev.freshet.sdk.stream.Consumer;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.HashKeyRange;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.ListShardsResult;
import dev.freshet.sdk.stream.ListStreamsResult;
import dev.freshet.sdk.stream.PutRecordResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.PutRecordsResultEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.ShardFilter;
import dev.freshet.sdk.stream.ShardFilterType;
import dev.freshet.sdk.stream.ShardIteratorType;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamDescription;
import dev.freshet.sdk.stream.StreamLimits;
import dev.freshet.sdk.stream.StreamMode;
import dev.freshet.sdk.stream.StreamSummary;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The Kinesis operations (except SubscribeToShard, which streams): each reads its request members
 * with the API's constraints, calls the {@link StreamClient}, and writes the service's response
 * shape. Member names, limits and defaults follow the Kinesis API reference.
 *
 * <p>What is checked here is the wire: member types, required members, enum names, each member's
 * length and pattern in the API model, and what only the wire has (paging that the client API does
 * not, ConsumerARN or StreamARN and ConsumerName, the EncryptionType and ScalingType members). The
 * request's values and limits (batch sizes, page sizes the client API takes, retention, tags...) are
 * checked once, by the {@link StreamClient}, whose exceptions carry the service's names and reach
 * the client as the same wire errors.
 */
final class Operations {
  /** One operation: a request body in, a response body out. */
  interface Operation {
    ObjectNode apply(ApiRequest request);
  }

  private final StreamClient client;
  private final Map<String, Operation> operations = new HashMap<>();

  Operations(StreamClient client) {
    this.client = client;
    operations.put("CreateStream", this::createStream);
    operations.put("DeleteStream", this::deleteStream);
    operations.put("DescribeStream", this::describeStream);
    operations.put("DescribeStreamSummary", this::describeStreamSummary);
    operations.put("ListStreams", this::listStreams);
    operations.put("IncreaseStreamRetentionPeriod", r -> retention(r, true));
    operations.put("DecreaseStreamRetentionPeriod", r -> retention(r, false));
    operations.put("AddTagsToStream", this::addTagsToStream);
    operations.put("RemoveTagsFromStream", this::removeTagsFromStream);
    operations.put("ListTagsForStream", this::listTagsForStream);
    operations.put("TagResource", this::tagResource);
    operations.put("UntagResource", this::untagResource);
    operations.put("ListTagsForResource", this::listTagsForResource);
    operations.put("UpdateStreamMode", this::updateStreamMode);
    operations.put("EnableEnhancedMonitoring", r -> monitoring(r, true));
    operations.put("DisableEnhancedMonitoring", r -> monitoring(r, false));
    operations.put("DescribeLimits", this::describeLimits);
    operations.put("ListShards", this::listShards);
    operations.put("SplitShard", this::splitShard);
    operations.put("MergeShards", this::mergeShards);
    operations.put("UpdateShardCount", this::updateShardCount);
    operations.put("PutRecord", this::putRecord);
    operations.put("PutRecords", this::putRecords);
    operations.put("GetShardIterator", this::getShardIterator);
    operations.put("GetRecords", this::getRecords);
    operations.put("StartStreamEncryption", r -> encryption(r, true));
    operations.put("StopStreamEncryption", r -> encryption(r, false));
    operations.put("RegisterStreamConsumer", this::registerStreamConsumer);
    operations.put("DeregisterStreamConsumer", this::deregisterStreamConsumer);
    operations.put("DescribeStreamConsumer", this::describeStreamConsumer);
    operations.put("ListStreamConsumers", this::listStreamConsumers);
  }

  @Nullable Operation get(String name) {
    return operations.get(name);
  }

  /** The names of the operations served here, for the server's error message and docs. */
  Set<String> names() {
    return new java.util.TreeSet<>(operations.keySet());
  }

  private static ObjectNode empty(ApiRequest request) {
    return request.format().newObject();
  }

  // ---- streams ----

  private ObjectNode createStream(ApiRequest request) {
    String name = request.string("StreamName", 1, 128);
    Integer shardCount = request.optInt("ShardCount", 1, 100_000);
    StreamMode mode = streamMode(request, StreamMode.PROVISIONED);
    CreateStreamRequest create;
    if (mode == StreamMode.ON_DEMAND) {
      create = CreateStreamRequest.onDemand(name);
    } else {
      if (shardCount == null) {
        throw new InvalidArgumentException("ShardCount is required for a PROVISIONED stream");
      }
      create = CreateStreamRequest.provisioned(name, shardCount);
    }
    client.createStream(create.withTags(request.stringMap("Tags")));
    return empty(request);
  }

  private static StreamMode streamMode(ApiRequest request, StreamMode fallback) {
    ApiRequest details = request.optObject("StreamModeDetails");
    if (details == null) {
      return fallback;
    }
    return enumMember(StreamMode.class, "StreamModeDetails.StreamMode", details.string("StreamMode"));
  }

  private static <E extends Enum<E>> E enumMember(Class<E> type, String member, String value) {
    try {
      return Enum.valueOf(type, value);
    } catch (IllegalArgumentException e) {
      throw ApiException.validation(String.format("1 validation error detected: Value '%s' at '%s' "
          + "failed to satisfy constraint: Member must satisfy enum value set: %s",
          ApiRequest.abbreviate(value), ApiRequest.lowerFirst(member), List.of(type.getEnumConstants())));
    }
  }

  private ObjectNode deleteStream(ApiRequest request) {
    client.deleteStream(request.stream(), request.optBoolean("EnforceConsumerDeletion"));
    return empty(request);
  }

  private ObjectNode describeStream(ApiRequest request) {
    int limit = orDefault(request.optInt("Limit", 1, 10_000), 100);
    String exclusiveStart = request.optString("ExclusiveStartShardId", 1, 128);
    StreamDescription description = client.describeStream(request.stream());
    List<Shard> shards = description.shards();
    int from = 0;
    if (exclusiveStart != null) {
      while (from < shards.size() && shards.get(from).shardId().compareTo(exclusiveStart) <= 0) {
        from++;
      }
    }
    int to = Math.min(shards.size(), from + limit);
    ObjectNode out = summaryNode(request.format(), description.summary(), false);
    ArrayNode shardNodes = out.putArray("Shards");
    for (Shard shard : shards.subList(from, to)) {
      shardNodes.add(shardNode(request.format(), shard));
    }
    out.put("HasMoreShards", to < shards.size());
    ObjectNode response = empty(request);
    response.set("StreamDescription", out);
    return response;
  }

  private ObjectNode describeStreamSummary(ApiRequest request) {
    ObjectNode response = empty(request);
    response.set("StreamDescriptionSummary",
        summaryNode(request.format(), client.describeStreamSummary(request.stream()), true));
    return response;
  }

  private static ObjectNode summaryNode(WireFormat format, StreamSummary summary, boolean counts) {
    ObjectNode node = format.newObject();
    node.put("StreamName", summary.streamName());
    node.put("StreamARN", summary.streamArn());
    node.put("StreamStatus", summary.streamStatus().name());
    node.putObject("StreamModeDetails").put("StreamMode", summary.streamMode().name());
    node.put("RetentionPeriodHours", summary.retentionPeriodHours());
    format.putTimestamp(node, "StreamCreationTimestamp", summary.creationTimestamp());
    ArrayNode metrics = node.putArray("EnhancedMonitoring").addObject().putArray("ShardLevelMetrics");
    summary.enhancedMonitoring().forEach(metrics::add);
    node.put("EncryptionType", summary.encryptionType().name());
    if (summary.keyId() != null) {
      node.put("KeyId", summary.keyId());
    }
    if (counts) {
      node.put("OpenShardCount", summary.openShardCount());
      node.put("ConsumerCount", summary.consumerCount());
    }
    return node;
  }

  private static ObjectNode shardNode(WireFormat format, Shard shard) {
    ObjectNode node = format.newObject();
    node.put("ShardId", shard.shardId());
    if (shard.parentShardId() != null) {
      node.put("ParentShardId", shard.parentShardId());
    }
    if (shard.adjacentParentShardId() != null) {
      node.put("AdjacentParentShardId", shard.adjacentParentShardId());
    }
    putRange(node.putObject("HashKeyRange"), shard.hashKeyRange());
    ObjectNode sequence = node.putObject("SequenceNumberRange");
    sequence.put("StartingSequenceNumber", shard.sequenceNumberRange().startingSequenceNumber());
    if (shard.sequenceNumberRange().endingSequenceNumber() != null) {
      sequence.put("EndingSequenceNumber", shard.sequenceNumberRange().endingSequenceNumber());
    }
    return node;
  }

  private static void putRange(ObjectNode node, HashKeyRange range) {
    node.put("StartingHashKey", range.startingHashKey().toString());
    node.put("EndingHashKey", range.endingHashKey().toString());
  }

  private ObjectNode listStreams(ApiRequest request) {
    int limit = orDefault(request.optInt("Limit", 1, 10_000), 100);
    String exclusiveStart = request.optString("ExclusiveStartStreamName", 1, 128);
    String token = request.optString("NextToken", 1, 1048576);
    if (exclusiveStart != null && token == null) {
      // The older paging style: continue after a stream name. Streams are few; walk them all.
      List<StreamSummary> after = new ArrayList<>();
      String cursor = null;
      do {
        ListStreamsResult result = client.listStreams(cursor, 10_000);
        for (StreamSummary summary : result.streams()) {
          if (summary.streamName().compareTo(exclusiveStart) > 0) {
            after.add(summary);
          }
        }
        cursor = result.nextToken();
      } while (cursor != null);
      return streamsResponse(request, after.subList(0, Math.min(limit, after.size())),
          after.size() > limit, null);
    }
    ListStreamsResult result = client.listStreams(token, limit);
    return streamsResponse(request, result.streams(), result.hasMoreStreams(), result.nextToken());
  }

  private static ObjectNode streamsResponse(ApiRequest request, List<StreamSummary> streams,
      boolean more, @Nullable String nextToken) {
    ObjectNode response = empty(request);
    ArrayNode names = response.putArray("StreamNames");
    ArrayNode summaries = response.putArray("StreamSummaries");
    for (StreamSummary summary : streams) {
      names.add(summary.streamName());
      ObjectNode node = summaries.addObject();
      node.put("StreamName", summary.streamName());
      node.put("StreamARN", summary.streamArn());
      node.put("StreamStatus", summary.streamStatus().name());
      node.putObject("StreamModeDetails").put("StreamMode", summary.streamMode().name());
      request.format().putTimestamp(node, "StreamCreationTimestamp", summary.creationTimestamp());
    }
    response.put("HasMoreStreams", more);
    if (nextToken != null) {
      response.put("NextToken", nextToken);
    }
    return response;
  }

  private ObjectNode retention(ApiRequest request, boolean increase) {
    String stream = request.stream();
    int hours = request.integer("RetentionPeriodHours", Integer.MIN_VALUE, Integer.MAX_VALUE);
    if (increase) {
      client.increaseStreamRetentionPeriod(stream, hours);
    } else {
      client.decreaseStreamRetentionPeriod(stream, hours);
    }
    return empty(request);
  }

  private ObjectNode addTagsToStream(ApiRequest request) {
    client.addTagsToStream(request.stream(), request.stringMap("Tags"));
    return empty(request);
  }

  private ObjectNode removeTagsFromStream(ApiRequest request) {
    client.removeTagsFromStream(request.stream(), request.strings("TagKeys"));
    return empty(request);
  }

  private ObjectNode listTagsForStream(ApiRequest request) {
    int limit = orDefault(request.optInt("Limit", 1, 50), 50);
    String exclusiveStart = request.optString("ExclusiveStartTagKey", 1, 128);
    TreeMap<String, String> tags = new TreeMap<>(client.listTagsForStream(request.stream()));
    Map<String, String> remaining = exclusiveStart == null ? tags : tags.tailMap(exclusiveStart, false);
    ObjectNode response = empty(request);
    ArrayNode list = response.putArray("Tags");
    int count = 0;
    for (Map.Entry<String, String> tag : remaining.entrySet()) {
      if (count++ == limit) {
        break;
      }
      list.addObject().put("Key", tag.getKey()).put("Value", tag.getValue());
    }
    response.put("HasMoreTags", remaining.size() > limit);
    return response;
  }

  /** The stream of a resource ARN; consumer ARNs are not taggable here. */
  private static String taggableStream(ApiRequest request) {
    String arn = request.string("ResourceARN", 1, 2048);
    if (arn.contains("/consumer/")) {
      throw new InvalidArgumentException("Tagging consumers is not supported by Freshet; tag the stream "
          + arn.substring(0, arn.indexOf("/consumer/")) + " instead");
    }
    return arn;
  }

  private ObjectNode tagResource(ApiRequest request) {
    client.addTagsToStream(taggableStream(request), request.stringMap("Tags"));
    return empty(request);
  }

  private ObjectNode untagResource(ApiRequest request) {
    client.removeTagsFromStream(taggableStream(request), request.strings("TagKeys"));
    return empty(request);
  }

  private ObjectNode listTagsForResource(ApiRequest request) {
    ObjectNode response = empty(request);
    ArrayNode list = response.putArray("Tags");
    new TreeMap<>(client.listTagsForStream(taggableStream(request)))
        .forEach((key, value) -> list.addObject().put("Key", key).put("Value", value));
    return response;
  }

  private ObjectNode updateStreamMode(ApiRequest request) {
    String arn = request.string("StreamARN", 1, 2048);
    ApiRequest details = request.optObject("StreamModeDetails");
    if (details == null) {
      throw ApiException.validation("1 validation error detected: Value null at 'streamModeDetails' "
          + "failed to satisfy constraint: Member must not be null");
    }
    client.updateStreamMode(arn, enumMember(StreamMode.class, "StreamModeDetails.StreamMode",
        details.string("StreamMode")));
    return empty(request);
  }

  private ObjectNode monitoring(ApiRequest request, boolean enable) {
    String stream = request.stream();
    List<String> metrics = request.strings("ShardLevelMetrics");
    List<Set<String>> change = enable
        ? client.enableEnhancedMonitoring(stream, metrics)
        : client.disableEnhancedMonitoring(stream, metrics);
    StreamSummary summary = client.describeStreamSummary(stream);
    ObjectNode response = empty(request);
    response.put("StreamName", summary.streamName());
    response.put("StreamARN", summary.streamArn());
    change.get(0).forEach(response.putArray("CurrentShardLevelMetrics")::add);
    change.get(1).forEach(response.putArray("DesiredShardLevelMetrics")::add);
    return response;
  }

  private ObjectNode describeLimits(ApiRequest request) {
    StreamLimits limits = client.describeLimits();
    ObjectNode response = empty(request);
    response.put("ShardLimit", limits.shardLimit());
    response.put("OpenShardCount", limits.openShardCount());
    response.put("OnDemandStreamCount", limits.onDemandStreamCount());
    response.put("OnDemandStreamCountLimit", limits.onDemandStreamCountLimit());
    return response;
  }

  // ---- shards ----

  private ObjectNode listShards(ApiRequest request) {
    ListShardsRequest.Builder builder = ListShardsRequest.builder()
        .setNextToken(request.optString("NextToken", 1, 1048576))
        .setExclusiveStartShardId(request.optString("ExclusiveStartShardId", 1, 128))
        .setMaxResults(request.optInt("MaxResults")); // 1 to 10,000: the store checks it
    String arn = request.optString("StreamARN", 1, 2048);
    String name = request.optString("StreamName", 1, 128);
    builder.setStream(arn != null ? arn : name);
    ApiRequest filter = request.optObject("ShardFilter");
    if (filter != null) {
      ShardFilterType type = enumMember(ShardFilterType.class, "ShardFilter.Type", filter.string("Type"));
      try {
        builder.setShardFilter(ShardFilter.of(type, filter.optString("ShardId", 1, 128),
            filter.optTimestamp("Timestamp")));
      } catch (IllegalArgumentException e) {
        throw new InvalidArgumentException(e.getMessage());
      }
    }
    ListShardsResult result = client.listShards(builder.build());
    ObjectNode response = empty(request);
    ArrayNode shards = response.putArray("Shards");
    for (Shard shard : result.shards()) {
      shards.add(shardNode(request.format(), shard));
    }
    if (result.nextToken() != null) {
      response.put("NextToken", result.nextToken());
    }
    return response;
  }

  private ObjectNode splitShard(ApiRequest request) {
    String stream = request.stream();
    String shard = request.string("ShardToSplit", 1, 128);
    String key = request.string("NewStartingHashKey", 1, 128);
    if (!key.matches("0|[1-9]\\d{0,38}")) {
      throw ApiException.validation("1 validation error detected: Value '" + ApiRequest.abbreviate(key)
          + "' at 'newStartingHashKey' failed to satisfy constraint: Member must satisfy regular "
          + "expression pattern: 0|([1-9]\\d{0,38})");
    }
    client.splitShard(stream, shard, new BigInteger(key));
    return empty(request);
  }

  private ObjectNode mergeShards(ApiRequest request) {
    client.mergeShards(request.stream(), request.string("ShardToMerge", 1, 128),
        request.string("AdjacentShardToMerge", 1, 128));
    return empty(request);
  }

  private ObjectNode updateShardCount(ApiRequest request) {
    String stream = request.stream();
    int target = request.integer("TargetShardCount", 1, 100_000);
    String scaling = request.string("ScalingType");
    if (!scaling.equals("UNIFORM_SCALING")) {
      throw ApiException.validation("1 validation error detected: Value '" + ApiRequest.abbreviate(scaling)
          + "' at 'scalingType' failed to satisfy constraint: Member must satisfy enum value set: [UNIFORM_SCALING]");
    }
    int current = client.updateShardCount(stream, target);
    StreamSummary summary = client.describeStreamSummary(stream);
    ObjectNode response = empty(request);
    response.put("StreamName", summary.streamName());
    response.put("StreamARN", summary.streamArn());
    response.put("CurrentShardCount", current);
    response.put("TargetShardCount", target);
    return response;
  }

  // ---- data ----

  private static PutRecordsEntry entry(ApiRequest request) {
    byte[] data = request.blob("Data");
    String key = request.string("PartitionKey");
    String explicit = request.optString("ExplicitHashKey");
    PutRecordsEntry entry = PutRecordsEntry.of(key, explicit, data);
    String producer = request.optString("ProducerId", 1, PutRecordsEntry.MAX_PRODUCER_ID_CHARS);
    String sequence = request.optString("ProducerSequence", 1, 128);
    if (producer == null && sequence == null) {
      return entry;
    }
    // Freshet's extension for idempotent writes: both members or neither.
    if (producer == null || sequence == null) {
      throw ApiException.validation("ProducerId and ProducerSequence must be given together, but only "
          + (producer == null ? "ProducerSequence" : "ProducerId") + " was");
    }
    if (!sequence.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw ApiException.validation("1 validation error detected: Value '" + ApiRequest.abbreviate(sequence)
          + "' at 'producerSequence' failed to satisfy constraint: Member must be a decimal number of 1 to 128 digits");
    }
    return entry.withProducer(producer, new BigInteger(sequence));
  }

  private ObjectNode putRecord(ApiRequest request) {
    String stream = request.stream();
    PutRecordsEntry entry = entry(request);
    String ordering = request.optString("SequenceNumberForOrdering");
    PutRecordResult result = client.putRecord(stream, entry, ordering);
    ObjectNode response = empty(request);
    response.put("ShardId", result.shardId());
    response.put("SequenceNumber", result.sequenceNumber());
    response.put("EncryptionType", result.encryptionType().name());
    return response;
  }

  private ObjectNode putRecords(ApiRequest request) {
    String stream = request.stream();
    List<ApiRequest> records = request.objects("Records");
    // The store checks the batch (1 to 500 records, 5 MiB) and each record.
    List<PutRecordsEntry> entries = new ArrayList<>(records.size());
    for (ApiRequest record : records) {
      entries.add(entry(record));
    }
    PutRecordsResult result = client.putRecords(stream, entries);
    ObjectNode response = empty(request);
    response.put("FailedRecordCount", result.failedRecordCount());
    ArrayNode out = response.putArray("Records");
    for (PutRecordsResultEntry entry : result.records()) {
      ObjectNode node = out.addObject();
      if (entry.isSuccessful()) {
        node.put("SequenceNumber", entry.sequenceNumber());
        node.put("ShardId", entry.shardId());
        if (entry.duplicate()) {
          node.put("Duplicate", true);
        }
      } else {
        node.put("ErrorCode", entry.errorCode());
        node.put("ErrorMessage", entry.errorMessage());
      }
    }
    response.put("EncryptionType", result.encryptionType().name());
    return response;
  }

  private ObjectNode getShardIterator(ApiRequest request) {
    String stream = request.stream();
    String shardId = request.string("ShardId", 1, 128);
    ShardIteratorType type = enumMember(ShardIteratorType.class, "ShardIteratorType",
        request.string("ShardIteratorType"));
    StartingPosition position = startingPosition(type, request.optString("StartingSequenceNumber"),
        request.optTimestamp("Timestamp"));
    ObjectNode response = empty(request);
    response.put("ShardIterator", client.getShardIterator(stream, shardId, position));
    return response;
  }

  static StartingPosition startingPosition(ShardIteratorType type, @Nullable String sequenceNumber,
      @Nullable Instant timestamp) {
    try {
      return StartingPosition.of(type, sequenceNumber, timestamp);
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException(e.getMessage());
    }
  }

  private ObjectNode getRecords(ApiRequest request) {
    return getRecordsAnswer(request, readRecords(request));
  }

  /** The read a GetRecords request asks for. */
  GetRecordsResult readRecords(ApiRequest request) {
    String iterator = request.string("ShardIterator", 1, 512);
    int limit = orDefault(request.optInt("Limit"), 10_000); // 1 to 10,000: the store checks it
    return client.getRecords(iterator, limit);
  }

  /**
   * The read a GetRecords request asks for, in Freshet's binary layout when the store can give it
   * (a local store, a read that continues the shard, no sealed record), else as records.
   */
  RecordsRead readRecordsBinary(ApiRequest request) {
    if (!(client instanceof LocalStreamStore store)) {
      return RecordsRead.records(readRecords(request));
    }
    String iterator = request.string("ShardIterator", 1, 512);
    int limit = orDefault(request.optInt("Limit"), 10_000);
    return store.getRecordsAnswer(iterator, limit);
  }

  /** A GetRecords read as the Kinesis API answers it. */
  ObjectNode getRecordsAnswer(ApiRequest request, GetRecordsResult result) {
    WireFormat format = request.format();
    ObjectNode response = empty(request);
    // Written record by record as the answer is encoded (RecordsValue), not as a tree of nodes.
    response.putPOJO("Records", new RecordsValue(format, result.records()));
    if (result.nextShardIterator() != null) {
      response.put("NextShardIterator", result.nextShardIterator());
    }
    response.put("MillisBehindLatest", result.millisBehindLatest());
    if (!result.childShards().isEmpty() || result.nextShardIterator() == null) {
      putChildShards(response, result.childShards());
    }
    return response;
  }

  /** A record as GetRecords and SubscribeToShard events carry it. */
  static ObjectNode recordNode(WireFormat format, Record record) {
    ObjectNode node = format.newObject();
    node.put("SequenceNumber", record.sequenceNumber());
    format.putTimestamp(node, "ApproximateArrivalTimestamp", record.approximateArrivalTimestamp());
    format.putBlob(node, "Data", record.data());
    node.put("PartitionKey", record.partitionKey());
    if (record.encryptionType() != dev.freshet.sdk.stream.EncryptionType.NONE) {
      node.put("EncryptionType", record.encryptionType().name());
    }
    return node;
  }

  static void putChildShards(ObjectNode node, List<ChildShard> children) {
    ArrayNode list = node.putArray("ChildShards");
    for (ChildShard child : children) {
      ObjectNode childNode = list.addObject();
      childNode.put("ShardId", child.shardId());
      child.parentShards().forEach(childNode.putArray("ParentShards")::add);
      putRange(childNode.putObject("HashKeyRange"), child.hashKeyRange());
    }
  }

  private ObjectNode encryption(ApiRequest request, boolean start) {
    String stream = request.stream();
    String type = request.string("EncryptionType");
    if (!type.equals("KMS")) {
      throw ApiException.validation("1 validation error detected: Value '" + ApiRequest.abbreviate(type)
          + "' at 'encryptionType' failed to satisfy constraint: Member must satisfy enum value set: [KMS, NONE]"
          + (type.equals("NONE") ? " (and only KMS can be started or stopped)" : ""));
    }
    String keyId = request.string("KeyId", 1, 2048);
    if (start) {
      client.startStreamEncryption(stream, keyId);
    } else {
      String current = client.describeStreamSummary(stream).keyId();
      if (current != null && !current.equals(keyId)) {
        throw new InvalidArgumentException("Stream " + stream + " is encrypted with key " + current
            + ", not with " + keyId);
      }
      client.stopStreamEncryption(stream);
    }
    return empty(request);
  }

  // ---- consumers ----

  private ObjectNode registerStreamConsumer(ApiRequest request) {
    Consumer consumer = client.registerStreamConsumer(
        request.string("StreamARN", 1, 2048), request.string("ConsumerName", 1, 128));
    ObjectNode response = empty(request);
    response.set("Consumer", consumerNode(request.format(), consumer, false));
    return response;
  }

  private static ObjectNode consumerNode(WireFormat format, Consumer consumer, boolean withStream) {
    ObjectNode node = format.newObject();
    node.put("ConsumerName", consumer.consumerName());
    node.put("ConsumerARN", consumer.consumerArn());
    node.put("ConsumerStatus", consumer.consumerStatus().name());
    format.putTimestamp(node, "ConsumerCreationTimestamp", consumer.consumerCreationTimestamp());
    if (withStream) {
      node.put("StreamARN", consumer.streamArn());
    }
    return node;
  }

  /** The consumer ARN a request names: ConsumerARN, or StreamARN and ConsumerName. */
  private String consumerArn(ApiRequest request) {
    String arn = request.optString("ConsumerARN", 1, 2048);
    if (arn != null) {
      return arn;
    }
    String streamArn = request.optString("StreamARN", 1, 2048);
    String name = request.optString("ConsumerName", 1, 128);
    if (streamArn == null || name == null) {
      throw new InvalidArgumentException("Either ConsumerARN, or StreamARN and ConsumerName, must be provided");
    }
    for (Consumer consumer : client.listStreamConsumers(streamArn)) {
      if (consumer.consumerName().equals(name)) {
        return consumer.consumerArn();
      }
    }
    throw new ResourceNotFoundException("Consumer " + name + " under stream " + streamArn + " not found.");
  }

  private ObjectNode deregisterStreamConsumer(ApiRequest request) {
    client.deregisterStreamConsumer(consumerArn(request));
    return empty(request);
  }

  private ObjectNode describeStreamConsumer(ApiRequest request) {
    ObjectNode response = empty(request);
    response.set("ConsumerDescription",
        consumerNode(request.format(), client.describeStreamConsumer(consumerArn(request)), true));
    return response;
  }

  private ObjectNode listStreamConsumers(ApiRequest request) {
    String stream = request.string("StreamARN", 1, 2048);
    int max = orDefault(request.optInt("MaxResults", 1, 10_000), 100);
    String token = request.optString("NextToken", 1, 1048576);
    List<Consumer> consumers = client.listStreamConsumers(stream);
    int from = 0;
    if (token != null) {
      try {
        from = Integer.parseInt(new String(java.util.Base64.getUrlDecoder().decode(token),
            java.nio.charset.StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new InvalidArgumentException("NextToken " + ApiRequest.abbreviate(token) + " is not valid");
      }
      if (from < 0 || from > consumers.size()) {
        throw new InvalidArgumentException("NextToken " + ApiRequest.abbreviate(token) + " is not valid");
      }
    }
    int to = Math.min(consumers.size(), from + max);
    ObjectNode response = empty(request);
    ArrayNode list = response.putArray("Consumers");
    for (Consumer consumer : consumers.subList(from, to)) {
      list.add(consumerNode(request.format(), consumer, false));
    }
    if (to < consumers.size()) {
      response.put("NextToken", java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
          Integer.toString(to).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    return response;
  }

  private static int orDefault(@Nullable Integer value, int fallback) {
    return value == null ? fallback : value;
  }
}
