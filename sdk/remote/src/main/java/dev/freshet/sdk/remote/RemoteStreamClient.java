package dev.freshet.sdk.remote;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.sdk.stream.ChildShard;
import dev.freshet.sdk.stream.Consumer;
import dev.freshet.sdk.stream.ConsumerStatus;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.EncryptionType;
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
import dev.freshet.sdk.stream.SequenceNumberRange;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamDescription;
import dev.freshet.sdk.stream.StreamLimits;
import dev.freshet.sdk.stream.StreamMetrics;
import dev.freshet.sdk.stream.StreamMode;
import dev.freshet.sdk.stream.StreamStatus;
import dev.freshet.sdk.stream.StreamSummary;
import dev.freshet.sdk.stream.SubscribeToShardEvent;
import dev.freshet.sdk.stream.errors.InternalFailureException;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ConsumerDescription;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamConsumerResponse;
import software.amazon.awssdk.services.kinesis.model.ListTagsForStreamResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.ScalingType;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.awssdk.services.kinesis.model.StreamModeDetails;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;
import software.amazon.awssdk.services.kinesis.model.Tag;

/**
 * The stream client over the Kinesis wire API: a {@code freshet server} or any Kinesis endpoint,
 * through the AWS SDK v2. Opened by {@link RemoteClientProvider} for {@code http:} and {@code
 * https:} endpoints; pipelines name the endpoint and never construct this directly.
 *
 * <p>Request/response calls go through a synchronous client on the Apache HTTP client;
 * {@link #subscribeToShard} through an asynchronous client on Netty over HTTP/2, as the service
 * requires, with the subscriber's demand passed through to the event stream.
 *
 * <h2>Errors</h2>
 * The service's errors become the stream API's exceptions of the same name; codes the API has no
 * type for become {@code InternalFailureException} carrying code and message, and so does a call
 * that got no answer (connection refused, reset, timed out).
 *
 * <h2>Retries</h2>
 * The SDK's own retries are off: every caller of this interface (the producer, StreamIO's reader
 * and writer) retries with its own back-off and counts throttling, and a second retry layer
 * underneath would multiply attempts, hide throttling from those policies and, for PutRecord,
 * repeat writes the caller did not ask to repeat. Retryable failures say so in {@code isRetryable()}.
 *
 * <h2>Idempotent writes</h2>
 * Entries with a producer ({@link PutRecordsEntry#withProducer}) are sent with Freshet's {@code
 * ProducerId} and {@code ProducerSequence} members, which the AWS SDK's model lacks: the client's
 * {@link #producerFieldsInterceptor() interceptor} writes such a call's body itself. Only a {@code
 * freshet server} understands them; do not send producers to the real service. The server's {@code
 * Duplicate} flag does not come through the SDK, so a repeat's result looks like a plain success
 * (with the original's sequence number).
 *
 * <h2>Reading</h2>
 * GetRecords answers are read by {@link #getRecordsInterceptor()} straight into records, not
 * through the SDK's model; the SDK still makes, signs and fails the call. The interceptor asks a
 * {@code freshet server} for Freshet's binary answer ({@link dev.freshet.sdk.wire.RecordsAnswer}),
 * and reads CBOR answers (the service's, and the server's answer that ends a shard) with Jackson's
 * streaming parser. JSON answers go through the SDK.
 *
 * <h2>Differences from the embedded store</h2>
 * {@link #listStreams} describes each listed stream, one call per stream, because the wire API's
 * stream summaries carry neither retention nor shard counts. {@link #metrics} needs a {@code
 * freshet server}: the Kinesis API has no such call, so it reads the server's {@code GET /metrics}.
 */
public final class RemoteStreamClient implements StreamClient {
  private static final int MAX_SHARD_PAGE = 10_000;
  private static final Duration SUBSCRIBE_START_TIMEOUT = Duration.ofSeconds(30);

  private final URI endpoint;
  private final KinesisClient sync;
  private final KinesisAsyncClient async;
  private final HttpClient http;
  private final boolean sendsProducers;
  /** Whether GetRecords answers are read by {@link GetRecordsReader} rather than the SDK. */
  private final boolean readsRecords;

  /**
   * A client over already built SDK clients for {@code endpoint}; it owns and closes them. {@link
   * RemoteClientProvider#open} builds them with the settings described there.
   */
  public RemoteStreamClient(URI endpoint, KinesisClient sync, KinesisAsyncClient async) {
    this.endpoint = checkNotNull(endpoint, "endpoint");
    this.sync = checkNotNull(sync, "sync");
    this.async = checkNotNull(async, "async");
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    this.sendsProducers = sync.serviceClientConfiguration().overrideConfiguration().executionInterceptors()
        .stream().anyMatch(i -> i instanceof ProducerFields);
    this.readsRecords = sync.serviceClientConfiguration().overrideConfiguration().executionInterceptors()
        .stream().anyMatch(i -> i instanceof GetRecordsReader);
  }

  /** The endpoint this client talks to. */
  public URI endpoint() {
    return endpoint;
  }

  private static <T> T call(Supplier<T> operation) {
    try {
      return operation.get();
    } catch (RuntimeException e) {
      throw RemoteErrors.map(e);
    }
  }

  private static void run(Runnable operation) {
    call(() -> {
      operation.run();
      return null;
    });
  }

  private static boolean isArn(String stream) {
    return stream != null && stream.startsWith("arn:");
  }

  private static @Nullable String nameOf(String stream) {
    return isArn(stream) ? null : stream;
  }

  private static @Nullable String arnOf(String stream) {
    return isArn(stream) ? stream : null;
  }

  /** The ARN of a stream named either way, for the operations that take only an ARN. */
  private String resolveArn(String stream) {
    return isArn(stream) ? stream : describeStreamSummary(stream).streamArn();
  }

  // ---- streams ----

  @Override
  public void createStream(CreateStreamRequest request) {
    run(() -> sync.createStream(b -> b.streamName(request.streamName())
        .shardCount(request.shardCount())
        .streamModeDetails(StreamModeDetails.builder().streamMode(request.streamMode().name()).build())
        .tags(request.tags().isEmpty() ? null : request.tags())));
  }

  @Override
  public void deleteStream(String stream, boolean enforceConsumerDeletion) {
    run(() -> sync.deleteStream(b -> b.streamName(nameOf(stream)).streamARN(arnOf(stream))
        .enforceConsumerDeletion(enforceConsumerDeletion)));
  }

  @Override
  public StreamDescription describeStream(String stream) {
    StreamSummary summary = describeStreamSummary(stream);
    List<Shard> shards = new ArrayList<>();
    ListShardsResult page = listShards(ListShardsRequest.builder().setStream(stream).setMaxResults(MAX_SHARD_PAGE).build());
    shards.addAll(page.shards());
    while (page.nextToken() != null) {
      page = listShards(ListShardsRequest.builder().setNextToken(page.nextToken()).setMaxResults(MAX_SHARD_PAGE).build());
      shards.addAll(page.shards());
    }
    return StreamDescription.of(summary, shards);
  }

  @Override
  public StreamSummary describeStreamSummary(String stream) {
    StreamDescriptionSummary s = call(() -> sync.describeStreamSummary(
        b -> b.streamName(nameOf(stream)).streamARN(arnOf(stream))).streamDescriptionSummary());
    Set<String> monitoring = new LinkedHashSet<>();
    s.enhancedMonitoring().forEach(m -> monitoring.addAll(m.shardLevelMetricsAsStrings()));
    return StreamSummary.builder()
        .setStreamName(s.streamName())
        .setStreamArn(s.streamARN())
        .setStreamStatus(StreamStatus.valueOf(s.streamStatusAsString()))
        .setStreamMode(s.streamModeDetails() == null ? StreamMode.PROVISIONED
            : StreamMode.valueOf(s.streamModeDetails().streamModeAsString()))
        .setRetentionPeriodHours(s.retentionPeriodHours())
        .setCreationTimestamp(s.streamCreationTimestamp())
        .setEncryptionType(encryption(s.encryptionTypeAsString()))
        .setKeyId(s.keyId())
        .setOpenShardCount(s.openShardCount())
        .setConsumerCount(s.consumerCount() == null ? 0 : s.consumerCount())
        .setEnhancedMonitoring(monitoring)
        .build();
  }

  @Override
  public ListStreamsResult listStreams(@Nullable String nextToken, int limit) {
    var page = call(() -> sync.listStreams(b -> b.nextToken(nextToken).limit(limit)));
    List<StreamSummary> streams = new ArrayList<>();
    for (String name : page.streamNames()) {
      try {
        streams.add(describeStreamSummary(name));
      } catch (ResourceNotFoundException deletedMeanwhile) {
        // Listed, then deleted before we described it: it is no longer a stream to list.
      }
    }
    return ListStreamsResult.of(streams, Boolean.TRUE.equals(page.hasMoreStreams()) ? page.nextToken() : null);
  }

  @Override
  public void increaseStreamRetentionPeriod(String stream, int hours) {
    run(() -> sync.increaseStreamRetentionPeriod(b -> b.streamName(nameOf(stream)).streamARN(arnOf(stream))
        .retentionPeriodHours(hours)));
  }

  @Override
  public void decreaseStreamRetentionPeriod(String stream, int hours) {
    run(() -> sync.decreaseStreamRetentionPeriod(b -> b.streamName(nameOf(stream)).streamARN(arnOf(stream))
        .retentionPeriodHours(hours)));
  }

  @Override
  public void addTagsToStream(String stream, Map<String, String> tags) {
    run(() -> sync.addTagsToStream(b -> b.streamName(nameOf(stream)).streamARN(arnOf(stream)).tags(tags)));
  }

  @Override
  public void removeTagsFromStream(String stream, Collection<String> tagKeys) {
    run(() -> sync.removeTagsFromStream(b -> b.streamName(nameOf(stream)).streamARN(arnOf(stream)).tagKeys(tagKeys)));
  }

  @Override
  public Map<String, String> listTagsForStream(String stream) {
    Map<String, String> tags = new LinkedHashMap<>();
    String start = null;
    while (true) {
      String from = start;
      ListTagsForStreamResponse page = call(() -> sync.listTagsForStream(
          b -> b.streamName(nameOf(stream)).streamARN(arnOf(stream)).exclusiveStartTagKey(from)));
      for (Tag tag : page.tags()) {
        tags.put(tag.key(), tag.value());
      }
      if (!Boolean.TRUE.equals(page.hasMoreTags()) || page.tags().isEmpty()) {
        return tags;
      }
      start = page.tags().get(page.tags().size() - 1).key();
    }
  }

  @Override
  public void updateStreamMode(String stream, StreamMode mode) {
    String arn = resolveArn(stream);
    run(() -> sync.updateStreamMode(b -> b.streamARN(arn)
        .streamModeDetails(StreamModeDetails.builder().streamMode(mode.name()).build())));
  }

  @Override
  public List<Set<String>> enableEnhancedMonitoring(String stream, Collection<String> shardLevelMetrics) {
    var response = call(() -> sync.enableEnhancedMonitoring(b -> b.streamName(nameOf(stream)).streamARN(arnOf(stream))
        .shardLevelMetricsWithStrings(shardLevelMetrics)));
    return List.of(new LinkedHashSet<>(response.currentShardLevelMetricsAsStrings()),
        new LinkedHashSet<>(response.desiredShardLevelMetricsAsStrings()));
  }

  @Override
  public List<Set<String>> disableEnhancedMonitoring(String stream, Collection<String> shardLevelMetrics) {
    var response = call(() -> sync.disableEnhancedMonitoring(b -> b.streamName(nameOf(stream)).streamARN(arnOf(stream))
        .shardLevelMetricsWithStrings(shardLevelMetrics)));
    return List.of(new LinkedHashSet<>(response.currentShardLevelMetricsAsStrings()),
        new LinkedHashSet<>(response.desiredShardLevelMetricsAsStrings()));
  }

  @Override
  public StreamLimits describeLimits() {
    var limits = call(() -> sync.describeLimits(b -> { }));
    return StreamLimits.of(limits.shardLimit(), limits.openShardCount(),
        limits.onDemandStreamCount(), limits.onDemandStreamCountLimit());
  }

  // ---- shards ----

  @Override
  public ListShardsResult listShards(ListShardsRequest request) {
    var response = call(() -> sync.listShards(b -> {
      b.streamName(nameOf(request.stream())).streamARN(arnOf(request.stream()))
          .nextToken(request.nextToken())
          .exclusiveStartShardId(request.exclusiveStartShardId())
          .maxResults(request.maxResults());
      if (request.shardFilter() != null) {
        b.shardFilter(f -> f.type(request.shardFilter().type().name())
            .shardId(request.shardFilter().shardId())
            .timestamp(request.shardFilter().timestamp()));
      }
    }));
    List<Shard> shards = new ArrayList<>(response.shards().size());
    for (software.amazon.awssdk.services.kinesis.model.Shard s : response.shards()) {
      shards.add(Shard.of(s.shardId(), s.parentShardId(), s.adjacentParentShardId(),
          HashKeyRange.of(new BigInteger(s.hashKeyRange().startingHashKey()), new BigInteger(s.hashKeyRange().endingHashKey())),
          SequenceNumberRange.of(s.sequenceNumberRange().startingSequenceNumber(), s.sequenceNumberRange().endingSequenceNumber())));
    }
    return ListShardsResult.of(shards, response.nextToken());
  }

  @Override
  public void splitShard(String stream, String shardToSplit, BigInteger newStartingHashKey) {
    run(() -> sync.splitShard(b -> b.streamName(nameOf(stream)).streamARN(arnOf(stream))
        .shardToSplit(shardToSplit).newStartingHashKey(newStartingHashKey.toString())));
  }

  @Override
  public void mergeShards(String stream, String shardToMerge, String adjacentShardToMerge) {
    run(() -> sync.mergeShards(b -> b.streamName(nameOf(stream)).streamARN(arnOf(stream))
        .shardToMerge(shardToMerge).adjacentShardToMerge(adjacentShardToMerge)));
  }

  @Override
  public int updateShardCount(String stream, int targetShardCount) {
    return call(() -> sync.updateShardCount(b -> b.streamName(nameOf(stream)).streamARN(arnOf(stream))
        .targetShardCount(targetShardCount).scalingType(ScalingType.UNIFORM_SCALING))).currentShardCount();
  }

  // ---- data ----

  /**
   * The interceptor that sends {@link PutRecordsEntry#withProducer producers} on the wire. Add it to
   * the sync client's override configuration when building the SDK clients by hand; {@link
   * RemoteClientProvider} does.
   */
  public static ExecutionInterceptor producerFieldsInterceptor() {
    return new ProducerFields();
  }

  /**
   * The interceptor that reads GetRecords answers straight into records ({@link GetRecordsReader}),
   * leaving the AWS SDK's unmarshaller out of the read path. Optional: without it GetRecords goes
   * through the SDK's model as before. {@link RemoteClientProvider} adds it to the sync client.
   */
  public static ExecutionInterceptor getRecordsInterceptor() {
    return new GetRecordsReader();
  }

  /** Refuses an idempotent write that this client's SDK client could not send as one. */
  private void checkCanSendProducers() {
    if (!sendsProducers) {
      throw new IllegalStateException("the AWS SDK client of this RemoteStreamClient for " + endpoint
          + " was built without RemoteStreamClient.producerFieldsInterceptor(), so it cannot send"
          + " idempotent writes (entries with a producer); add the interceptor to its override configuration");
    }
  }

  private static <B extends AwsRequest.Builder> B withProducers(B builder, ProducerFields.Pending pending) {
    builder.overrideConfiguration(AwsRequestOverrideConfiguration.builder()
        .putExecutionAttribute(ProducerFields.PENDING, pending).build());
    return builder;
  }

  @Override
  public PutRecordResult putRecord(String stream, PutRecordsEntry record, @Nullable String sequenceNumberForOrdering) {
    ProducerFields.Pending pending = null;
    if (record.isIdempotent()) {
      checkCanSendProducers();
      pending = new ProducerFields.Pending(nameOf(stream), arnOf(stream), List.of(record), true,
          sequenceNumberForOrdering);
    }
    ProducerFields.Pending producers = pending;
    var response = call(() -> sync.putRecord(b -> {
      b.streamName(nameOf(stream)).streamARN(arnOf(stream))
          .partitionKey(record.partitionKey())
          .explicitHashKey(record.explicitHashKey())
          .data(SdkBytes.fromByteArrayUnsafe(record.data()))
          .sequenceNumberForOrdering(sequenceNumberForOrdering);
      if (producers != null) {
        withProducers(b, producers);
      }
    }));
    return PutRecordResult.of(response.shardId(), response.sequenceNumber(), encryption(response.encryptionTypeAsString()));
  }

  @Override
  public PutRecordsResult putRecords(String stream, List<PutRecordsEntry> records) {
    List<PutRecordsRequestEntry> entries = new ArrayList<>(records.size());
    for (PutRecordsEntry record : records) {
      entries.add(PutRecordsRequestEntry.builder()
          .partitionKey(record.partitionKey())
          .explicitHashKey(record.explicitHashKey())
          .data(SdkBytes.fromByteArrayUnsafe(record.data()))
          .build());
    }
    ProducerFields.Pending producers = null;
    for (PutRecordsEntry record : records) {
      if (record.isIdempotent()) {
        checkCanSendProducers();
        producers = new ProducerFields.Pending(nameOf(stream), arnOf(stream), records, false, null);
        break;
      }
    }
    ProducerFields.Pending pending = producers;
    var response = call(() -> sync.putRecords(b -> {
      b.streamName(nameOf(stream)).streamARN(arnOf(stream)).records(entries);
      if (pending != null) {
        withProducers(b, pending);
      }
    }));
    List<PutRecordsResultEntry> results = new ArrayList<>(response.records().size());
    for (var entry : response.records()) {
      results.add(entry.errorCode() == null
          ? PutRecordsResultEntry.success(entry.shardId(), entry.sequenceNumber())
          : PutRecordsResultEntry.failure(entry.errorCode(), entry.errorMessage()));
    }
    return PutRecordsResult.of(results, encryption(response.encryptionTypeAsString()));
  }

  @Override
  public String getShardIterator(String stream, String shardId, StartingPosition position) {
    return call(() -> sync.getShardIterator(b -> b.streamName(nameOf(stream)).streamARN(arnOf(stream))
        .shardId(shardId)
        .shardIteratorType(position.type().name())
        .startingSequenceNumber(position.sequenceNumber())
        .timestamp(position.timestamp()))).shardIterator();
  }

  @Override
  public GetRecordsResult getRecords(String shardIterator, int limit) {
    GetRecordsReader.Answer answer = new GetRecordsReader.Answer();
    var response = call(() -> sync.getRecords(b -> {
      b.shardIterator(shardIterator).limit(limit);
      if (readsRecords) {
        b.overrideConfiguration(o -> o.putExecutionAttribute(GetRecordsReader.ANSWER, answer));
      }
    }));
    GetRecordsResult read = answer.result();
    if (read != null) {
      return read;
    }
    return GetRecordsResult.of(records(response.records()), response.nextShardIterator(),
        response.millisBehindLatest() == null ? 0 : response.millisBehindLatest(), childShards(response.childShards()));
  }

  private static List<Record> records(List<software.amazon.awssdk.services.kinesis.model.Record> records) {
    List<Record> out = new ArrayList<>(records.size());
    for (var r : records) {
      out.add(Record.of(r.sequenceNumber(), r.approximateArrivalTimestamp(), r.partitionKey(),
          r.data().asByteArrayUnsafe(), encryption(r.encryptionTypeAsString())));
    }
    return out;
  }

  private static List<ChildShard> childShards(List<software.amazon.awssdk.services.kinesis.model.ChildShard> children) {
    List<ChildShard> out = new ArrayList<>(children.size());
    for (var c : children) {
      out.add(ChildShard.of(c.shardId(), c.parentShards(), HashKeyRange.of(
          new BigInteger(c.hashKeyRange().startingHashKey()), new BigInteger(c.hashKeyRange().endingHashKey()))));
    }
    return out;
  }

  private static EncryptionType encryption(@Nullable String wire) {
    return wire == null || wire.equals("null") ? EncryptionType.NONE : EncryptionType.valueOf(wire);
  }

  // ---- encryption at rest ----

  @Override
  public void startStreamEncryption(String stream, String keyId) {
    run(() -> sync.startStreamEncryption(b -> b.streamName(nameOf(stream)).streamARN(arnOf(stream))
        .encryptionType("KMS").keyId(keyId)));
  }

  @Override
  public void stopStreamEncryption(String stream) {
    String keyId = describeStreamSummary(stream).keyId();
    run(() -> sync.stopStreamEncryption(b -> b.streamName(nameOf(stream)).streamARN(arnOf(stream))
        .encryptionType("KMS").keyId(keyId)));
  }

  // ---- enhanced fan-out ----

  @Override
  public Consumer registerStreamConsumer(String stream, String consumerName) {
    String arn = resolveArn(stream);
    var c = call(() -> sync.registerStreamConsumer(b -> b.streamARN(arn).consumerName(consumerName))).consumer();
    return Consumer.of(c.consumerName(), c.consumerARN(), ConsumerStatus.valueOf(c.consumerStatusAsString()),
        c.consumerCreationTimestamp(), arn);
  }

  @Override
  public void deregisterStreamConsumer(String consumerArn) {
    run(() -> sync.deregisterStreamConsumer(b -> b.consumerARN(consumerArn)));
  }

  @Override
  public Consumer describeStreamConsumer(String consumerArn) {
    DescribeStreamConsumerResponse response = call(() -> sync.describeStreamConsumer(b -> b.consumerARN(consumerArn)));
    ConsumerDescription c = response.consumerDescription();
    return Consumer.of(c.consumerName(), c.consumerARN(), ConsumerStatus.valueOf(c.consumerStatusAsString()),
        c.consumerCreationTimestamp(), c.streamARN());
  }

  @Override
  public List<Consumer> listStreamConsumers(String stream) {
    String arn = resolveArn(stream);
    List<Consumer> consumers = new ArrayList<>();
    String token = null;
    do {
      String from = token;
      var page = call(() -> sync.listStreamConsumers(b -> {
        if (from == null) {
          b.streamARN(arn);
        } else {
          b.nextToken(from);
        }
      }));
      for (var c : page.consumers()) {
        consumers.add(Consumer.of(c.consumerName(), c.consumerARN(), ConsumerStatus.valueOf(c.consumerStatusAsString()),
            c.consumerCreationTimestamp(), arn));
      }
      token = page.nextToken();
    } while (token != null);
    return consumers;
  }

  @Override
  public void subscribeToShard(
      String consumerArn,
      String shardId,
      StartingPosition position,
      Flow.Subscriber<? super SubscribeToShardEvent> subscriber) {
    EventStreamBridge bridge = new EventStreamBridge(subscriber, RemoteStreamClient::event);
    SubscribeToShardResponseHandler handler = SubscribeToShardResponseHandler.builder()
        .onEventStream(publisher -> publisher.subscribe(bridge))
        .onError(bridge::fail)
        .build();
    async.subscribeToShard(b -> b.consumerARN(consumerArn).shardId(shardId)
            .startingPosition(p -> p.type(position.type().name())
                .sequenceNumber(position.sequenceNumber())
                .timestamp(position.timestamp())),
        handler)
        .whenComplete((ok, failure) -> {
          if (failure != null) {
            bridge.fail(failure);
          }
        });
    try {
      bridge.started.get(SUBSCRIBE_START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InternalFailureException("interrupted while subscribing to " + shardId, e);
    } catch (ExecutionException e) {
      throw RemoteErrors.map(e.getCause());
    } catch (TimeoutException e) {
      throw new InternalFailureException("SubscribeToShard of " + shardId + " did not start within "
          + SUBSCRIBE_START_TIMEOUT.toSeconds() + " s at " + endpoint, e);
    }
  }

  private static SubscribeToShardEvent event(software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent e) {
    return SubscribeToShardEvent.of(records(e.records()), e.continuationSequenceNumber(),
        e.millisBehindLatest() == null ? 0 : e.millisBehindLatest(), childShards(e.childShards()));
  }

  // ---- metrics ----

  /**
   * The per-shard counters, read from a {@code freshet server}'s {@code GET /metrics}.
   *
   * @throws InvalidArgumentException if the endpoint is not a freshet server
   */
  @Override
  public StreamMetrics metrics(String stream) {
    String name = isArn(stream) ? stream.substring(stream.indexOf(":stream/") + ":stream/".length()) : stream;
    String text;
    try {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(endpoint.resolve("/metrics")).timeout(Duration.ofSeconds(30)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      text = response.statusCode() == 200 ? response.body() : "";
    } catch (IOException e) {
      throw new InternalFailureException("could not read metrics from " + endpoint + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InternalFailureException("interrupted while reading metrics from " + endpoint, e);
    }
    if (!PrometheusMetrics.isFreshet(text)) {
      throw new InvalidArgumentException("metrics need a freshet server: the Kinesis API has no call for "
          + "them and " + endpoint + " does not serve freshet's GET /metrics");
    }
    var shards = PrometheusMetrics.shardsOf(text, name);
    if (shards.isEmpty()) {
      describeStreamSummary(stream); // throws ResourceNotFoundException for a stream that does not exist
    }
    return StreamMetrics.of(name, shards);
  }

  @Override
  public void close() {
    try (KinesisClient s = sync; KinesisAsyncClient a = async) {
      // closes both, even if one fails
    }
  }
}
