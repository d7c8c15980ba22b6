package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.kinesis.store.ThrottlingMode;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.errors.InternalFailureException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ChildShard;
import software.amazon.awssdk.services.kinesis.model.ConsumerDescription;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.DescribeLimitsResponse;
import software.amazon.awssdk.services.kinesis.model.EncryptionType;
import software.amazon.awssdk.services.kinesis.model.EnhancedMetrics;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.KmsNotFoundException;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ListStreamConsumersResponse;
import software.amazon.awssdk.services.kinesis.model.ListStreamsResponse;
import software.amazon.awssdk.services.kinesis.model.ListTagsForStreamResponse;
import software.amazon.awssdk.services.kinesis.model.MetricsName;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.ScalingType;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardFilterType;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamDescription;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.awssdk.services.kinesis.model.StreamMode;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;
import software.amazon.awssdk.services.kinesis.model.StreamSummary;
import software.amazon.awssdk.services.kinesis.model.Tag;
import software.amazon.awssdk.services.kinesis.model.ValidationException;

/**
 * Every operation of the Kinesis API except SubscribeToShard, through the AWS SDK for Java v2 sync
 * client (Apache HTTP), once with CBOR bodies (the SDK's default) and once with JSON. The store
 * runs on a clock the test moves, so timestamps are compared exactly, to the millisecond, after
 * they crossed the wire in both directions.
 */
class KinesisApiIT {
  /** Runs a test once with CBOR and once with JSON bodies. */
  @Target(ElementType.METHOD)
  @Retention(RetentionPolicy.RUNTIME)
  @ParameterizedTest(name = "cbor={0}")
  @ValueSource(booleans = {true, false})
  @interface BothFormats {}

  /** Not on a whole second, so a timestamp cut to seconds anywhere on the way shows. */
  private static final Instant START = Instant.parse("2024-05-01T12:00:00.250Z");
  private static final String MAX_HASH_KEY = BigInteger.TWO.pow(128).subtract(BigInteger.ONE).toString();

  @TempDir Path dir;
  private final SettableClock clock = new SettableClock(START);
  private final List<AutoCloseable> open = new ArrayList<>();
  private final Set<String> contentTypes = ConcurrentHashMap.newKeySet();
  private boolean cbor;

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    System.clearProperty("aws.cborEnabled");
    // The parameter must have changed the wire format, or the second run proved nothing.
    assertThat(contentTypes).containsOnly(
        cbor ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1");
  }

  private LocalStreamStore store(Consumer<StoreConfig.Builder> settings) {
    StoreConfig.Builder builder = StoreConfig.builder(dir.resolve("data-" + open.size())).setClock(clock);
    settings.accept(builder);
    LocalStreamStore store = LocalStreamStore.open(builder.build());
    open.add(store);
    return store;
  }

  private KinesisServer server(StreamClient client) {
    KinesisServer server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), client);
    open.add(server);
    return server;
  }

  /** A client without retries, so every error the server sends is the one the test sees. */
  private KinesisClient client(boolean cbor, KinesisServer server) {
    return client(cbor, server, false);
  }

  private KinesisClient client(boolean cbor, KinesisServer server, boolean sdkDefaultRetries) {
    this.cbor = cbor;
    System.setProperty("aws.cborEnabled", Boolean.toString(cbor));
    KinesisClient client = KinesisClient.builder()
        .endpointOverride(server.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")))
        .httpClient(ApacheHttpClient.create())
        .overrideConfiguration(o -> {
          if (!sdkDefaultRetries) {
            o.retryStrategy(AwsRetryStrategy.doNotRetry());
          }
          o.addExecutionInterceptor(new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
              context.httpRequest().firstMatchingHeader("Content-Type").ifPresent(contentTypes::add);
            }
          });
        })
        .build();
    open.add(client);
    return client;
  }

  private KinesisClient start(boolean cbor) {
    return client(cbor, server(store(b -> {})));
  }

  private static String arn(String stream) {
    return "arn:aws:kinesis:us-east-1:000000000000:stream/" + stream;
  }

  private static String shardId(int ordinal) {
    return String.format("shardId-%012d", ordinal);
  }

  private static List<String> ids(List<Shard> shards) {
    return shards.stream().map(Shard::shardId).collect(Collectors.toList());
  }

  private static SdkBytes utf8(String text) {
    return SdkBytes.fromUtf8String(text);
  }

  // ---- streams ----

  @BothFormats
  void createsDescribesAndDeletesStreams(boolean cbor) {
    KinesisClient kinesis = start(cbor);
    kinesis.createStream(b -> b.streamName("provisioned").shardCount(3).tags(Map.of("team", "data")));
    kinesis.createStream(b -> b.streamName("on-demand").streamModeDetails(m -> m.streamMode(StreamMode.ON_DEMAND)));

    StreamDescriptionSummary summary = kinesis.describeStreamSummary(b -> b.streamName("provisioned"))
        .streamDescriptionSummary();
    assertThat(summary.streamName()).isEqualTo("provisioned");
    assertThat(summary.streamARN()).isEqualTo(arn("provisioned"));
    assertThat(summary.streamStatus()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(summary.streamModeDetails().streamMode()).isEqualTo(StreamMode.PROVISIONED);
    assertThat(summary.retentionPeriodHours()).isEqualTo(24);
    assertThat(summary.streamCreationTimestamp()).isEqualTo(START);
    assertThat(summary.openShardCount()).isEqualTo(3);
    assertThat(summary.consumerCount()).isZero();
    assertThat(summary.encryptionType()).isEqualTo(EncryptionType.NONE);
    assertThat(summary.enhancedMonitoring()).extracting(m -> m.shardLevelMetrics()).containsExactly(List.of());
    assertThat(kinesis.listTagsForStream(b -> b.streamName("provisioned")).tags())
        .containsExactly(Tag.builder().key("team").value("data").build());

    StreamDescriptionSummary onDemand = kinesis.describeStreamSummary(b -> b.streamARN(arn("on-demand")))
        .streamDescriptionSummary();
    assertThat(onDemand.streamModeDetails().streamMode()).isEqualTo(StreamMode.ON_DEMAND);
    assertThat(onDemand.openShardCount()).isEqualTo(4);

    StreamDescription description = kinesis.describeStream(b -> b.streamARN(arn("provisioned")))
        .streamDescription();
    assertThat(description.streamName()).isEqualTo("provisioned");
    assertThat(description.streamARN()).isEqualTo(arn("provisioned"));
    assertThat(description.streamCreationTimestamp()).isEqualTo(START);
    assertThat(description.streamModeDetails().streamMode()).isEqualTo(StreamMode.PROVISIONED);
    assertThat(description.hasMoreShards()).isFalse();
    assertThat(ids(description.shards())).containsExactly(shardId(0), shardId(1), shardId(2));
    Shard first = description.shards().get(0);
    assertThat(first.hashKeyRange().startingHashKey()).isEqualTo("0");
    assertThat(description.shards().get(2).hashKeyRange().endingHashKey()).isEqualTo(MAX_HASH_KEY);
    assertThat(first.sequenceNumberRange().startingSequenceNumber()).matches("\\d+");
    assertThat(first.sequenceNumberRange().endingSequenceNumber()).isNull();
    assertThat(first.parentShardId()).isNull();

    kinesis.deleteStream(b -> b.streamName("on-demand"));
    assertThatThrownBy(() -> kinesis.describeStreamSummary(b -> b.streamName("on-demand")))
        .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("on-demand");
    kinesis.deleteStream(b -> b.streamARN(arn("provisioned")));
    assertThat(kinesis.listStreams().streamNames()).isEmpty();
  }

  @BothFormats
  void pagesDescribeStreamByLimitAndExclusiveStartShardId(boolean cbor) {
    KinesisClient kinesis = start(cbor);
    kinesis.createStream(b -> b.streamName("wide").shardCount(5));
    List<String> seen = new ArrayList<>();
    String last = null;
    boolean more = true;
    int pages = 0;
    while (more) {
      String after = last;
      StreamDescription page = kinesis.describeStream(b -> b.streamName("wide").limit(2)
          .exclusiveStartShardId(after)).streamDescription();
      assertThat(page.shards()).hasSizeBetween(1, 2);
      seen.addAll(ids(page.shards()));
      last = seen.get(seen.size() - 1);
      more = page.hasMoreShards();
      pages++;
    }
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactly(shardId(0), shardId(1), shardId(2), shardId(3), shardId(4));
  }

  @BothFormats
  void listsStreamsWithSummariesAndBothWaysOfPaging(boolean cbor) {
    KinesisClient kinesis = start(cbor);
    for (String name : List.of("a", "b", "c", "d", "e")) {
      kinesis.createStream(b -> b.streamName(name).shardCount(1));
    }
    ListStreamsResponse first = kinesis.listStreams(b -> b.limit(2));
    assertThat(first.streamNames()).containsExactly("a", "b");
    assertThat(first.hasMoreStreams()).isTrue();
    assertThat(first.nextToken()).isNotNull();
    StreamSummary summary = first.streamSummaries().get(0);
    assertThat(summary.streamName()).isEqualTo("a");
    assertThat(summary.streamARN()).isEqualTo(arn("a"));
    assertThat(summary.streamStatus()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(summary.streamModeDetails().streamMode()).isEqualTo(StreamMode.PROVISIONED);
    assertThat(summary.streamCreationTimestamp()).isEqualTo(START);

    List<String> byToken = new ArrayList<>(first.streamNames());
    String token = first.nextToken();
    while (token != null) {
      String current = token;
      ListStreamsResponse page = kinesis.listStreams(b -> b.limit(2).nextToken(current));
      assertThat(page.streamSummaries()).extracting(StreamSummary::streamName)
          .containsExactlyElementsOf(page.streamNames());
      byToken.addAll(page.streamNames());
      assertThat(page.hasMoreStreams()).isEqualTo(page.nextToken() != null);
      token = page.nextToken();
    }
    assertThat(byToken).containsExactly("a", "b", "c", "d", "e");

    ListStreamsResponse afterB = kinesis.listStreams(b -> b.limit(2).exclusiveStartStreamName("b"));
    assertThat(afterB.streamNames()).containsExactly("c", "d");
    assertThat(afterB.hasMoreStreams()).isTrue();
    ListStreamsResponse afterD = kinesis.listStreams(b -> b.limit(2).exclusiveStartStreamName("d"));
    assertThat(afterD.streamNames()).containsExactly("e");
    assertThat(afterD.hasMoreStreams()).isFalse();
  }

  @BothFormats
  void changesRetentionMonitoringAndModeAndDescribesLimits(boolean cbor) {
    KinesisClient kinesis = start(cbor);
    kinesis.createStream(b -> b.streamName("s").shardCount(2));
    kinesis.increaseStreamRetentionPeriod(b -> b.streamARN(arn("s")).retentionPeriodHours(48));
    assertThat(kinesis.describeStreamSummary(b -> b.streamName("s")).streamDescriptionSummary()
        .retentionPeriodHours()).isEqualTo(48);
    kinesis.decreaseStreamRetentionPeriod(b -> b.streamARN(arn("s")).retentionPeriodHours(36));
    assertThat(kinesis.describeStream(b -> b.streamName("s")).streamDescription()
        .retentionPeriodHours()).isEqualTo(36);
    assertThatThrownBy(() -> kinesis.decreaseStreamRetentionPeriod(b -> b.streamName("s").retentionPeriodHours(12)))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("12");

    var enabled = kinesis.enableEnhancedMonitoring(b -> b.streamARN(arn("s"))
        .shardLevelMetrics(MetricsName.INCOMING_BYTES, MetricsName.OUTGOING_RECORDS));
    assertThat(enabled.streamName()).isEqualTo("s");
    assertThat(enabled.streamARN()).isEqualTo(arn("s"));
    assertThat(enabled.currentShardLevelMetrics()).isEmpty();
    assertThat(enabled.desiredShardLevelMetrics())
        .containsExactlyInAnyOrder(MetricsName.INCOMING_BYTES, MetricsName.OUTGOING_RECORDS);
    assertThat(kinesis.describeStreamSummary(b -> b.streamName("s")).streamDescriptionSummary()
        .enhancedMonitoring()).flatExtracting(EnhancedMetrics::shardLevelMetrics)
        .containsExactlyInAnyOrder(MetricsName.INCOMING_BYTES, MetricsName.OUTGOING_RECORDS);
    var disabled = kinesis.disableEnhancedMonitoring(b -> b.streamARN(arn("s"))
        .shardLevelMetrics(MetricsName.INCOMING_BYTES));
    assertThat(disabled.currentShardLevelMetrics())
        .containsExactlyInAnyOrder(MetricsName.INCOMING_BYTES, MetricsName.OUTGOING_RECORDS);
    assertThat(disabled.desiredShardLevelMetrics()).containsExactly(MetricsName.OUTGOING_RECORDS);

    kinesis.updateStreamMode(b -> b.streamARN(arn("s")).streamModeDetails(m -> m.streamMode(StreamMode.ON_DEMAND)));
    assertThat(kinesis.describeStreamSummary(b -> b.streamName("s")).streamDescriptionSummary()
        .streamModeDetails().streamMode()).isEqualTo(StreamMode.ON_DEMAND);
    DescribeLimitsResponse limits = kinesis.describeLimits();
    assertThat(limits.shardLimit()).isEqualTo(500);
    assertThat(limits.openShardCount()).isEqualTo(2);
    assertThat(limits.onDemandStreamCount()).isEqualTo(1);
    assertThat(limits.onDemandStreamCountLimit()).isPositive();
    kinesis.updateStreamMode(b -> b.streamARN(arn("s")).streamModeDetails(m -> m.streamMode(StreamMode.PROVISIONED)));
    assertThat(kinesis.describeLimits().onDemandStreamCount()).isZero();
  }

  // ---- tags ----

  @BothFormats
  void tagsStreamsByNameArnAndResourceArn(boolean cbor) {
    KinesisClient kinesis = start(cbor);
    kinesis.createStream(b -> b.streamName("s").shardCount(1));
    kinesis.addTagsToStream(b -> b.streamName("s").tags(Map.of("a", "1", "b", "2")));
    kinesis.addTagsToStream(b -> b.streamARN(arn("s")).tags(Map.of("c", "3")));
    ListTagsForStreamResponse page = kinesis.listTagsForStream(b -> b.streamName("s").limit(2));
    assertThat(page.tags()).extracting(Tag::key).containsExactly("a", "b");
    assertThat(page.hasMoreTags()).isTrue();
    ListTagsForStreamResponse rest = kinesis.listTagsForStream(b -> b.streamARN(arn("s")).exclusiveStartTagKey("b"));
    assertThat(rest.tags()).containsExactly(Tag.builder().key("c").value("3").build());
    assertThat(rest.hasMoreTags()).isFalse();
    kinesis.removeTagsFromStream(b -> b.streamName("s").tagKeys("a"));
    kinesis.removeTagsFromStream(b -> b.streamARN(arn("s")).tagKeys("b"));

    kinesis.tagResource(b -> b.resourceARN(arn("s")).tags(Map.of("d", "4")));
    assertThat(kinesis.listTagsForResource(b -> b.resourceARN(arn("s"))).tags()).extracting(Tag::key, Tag::value)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("c", "3"), org.assertj.core.groups.Tuple.tuple("d", "4"));
    kinesis.untagResource(b -> b.resourceARN(arn("s")).tagKeys("c", "d"));
    assertThat(kinesis.listTagsForResource(b -> b.resourceARN(arn("s"))).tags()).isEmpty();
    assertThat(kinesis.listTagsForStream(b -> b.streamName("s")).tags()).isEmpty();
  }

  // ---- data ----

  @BothFormats
  void putsAndReadsRecordsWithEveryIteratorType(boolean cbor) {
    KinesisClient kinesis = start(cbor);
    kinesis.createStream(b -> b.streamName("s").shardCount(2));
    String upper = BigInteger.TWO.pow(127).toString();

    PutRecordResponse first = kinesis.putRecord(b -> b.streamName("s").partitionKey("k")
        .explicitHashKey(upper).data(utf8("one")));
    assertThat(first.shardId()).isEqualTo(shardId(1));
    assertThat(first.encryptionType()).isEqualTo(EncryptionType.NONE);
    clock.advance(Duration.ofSeconds(1));
    PutRecordResponse second = kinesis.putRecord(b -> b.streamARN(arn("s")).partitionKey("k")
        .explicitHashKey(MAX_HASH_KEY).sequenceNumberForOrdering(first.sequenceNumber()).data(utf8("two")));
    assertThat(second.shardId()).isEqualTo(shardId(1));
    assertThat(new BigInteger(second.sequenceNumber())).isGreaterThan(new BigInteger(first.sequenceNumber()));
    clock.advance(Duration.ofSeconds(1));
    PutRecordsResponse batch = kinesis.putRecords(b -> b.streamARN(arn("s")).records(
        PutRecordsRequestEntry.builder().partitionKey("x").explicitHashKey(upper).data(utf8("three")).build(),
        PutRecordsRequestEntry.builder().partitionKey("x").explicitHashKey("0").data(utf8("zero")).build()));
    assertThat(batch.failedRecordCount()).isZero();
    assertThat(batch.encryptionType()).isEqualTo(EncryptionType.NONE);
    assertThat(batch.records()).extracting(PutRecordsResultEntry::shardId).containsExactly(shardId(1), shardId(0));
    assertThat(batch.records()).allSatisfy(entry -> {
      assertThat(entry.sequenceNumber()).isNotNull();
      assertThat(entry.errorCode()).isNull();
    });
    String third = batch.records().get(0).sequenceNumber();

    // TRIM_HORIZON, paged one record at a time: arrival times, data, keys and how far behind.
    String iterator = kinesis.getShardIterator(b -> b.streamName("s").shardId(shardId(1))
        .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
    String current = iterator;
    GetRecordsResponse page = kinesis.getRecords(b -> b.shardIterator(current).limit(1));
    assertThat(page.records()).hasSize(1);
    Record record = page.records().get(0);
    assertThat(record.data().asUtf8String()).isEqualTo("one");
    assertThat(record.partitionKey()).isEqualTo("k");
    assertThat(record.sequenceNumber()).isEqualTo(first.sequenceNumber());
    assertThat(record.approximateArrivalTimestamp()).isEqualTo(START);
    assertThat(page.millisBehindLatest()).isEqualTo(2000L);
    assertThat(page.nextShardIterator()).isNotNull();
    assertThat(page.childShards()).isEmpty();
    GetRecordsResponse rest = kinesis.getRecords(b -> b.shardIterator(page.nextShardIterator()));
    assertThat(rest.records()).extracting(r -> r.data().asUtf8String()).containsExactly("two", "three");
    assertThat(rest.records()).extracting(Record::approximateArrivalTimestamp)
        .containsExactly(START.plusSeconds(1), START.plusSeconds(2));
    assertThat(rest.millisBehindLatest()).isZero();

    assertThat(readAll(kinesis, ShardIteratorType.AT_SEQUENCE_NUMBER, second.sequenceNumber(), null))
        .containsExactly("two", "three");
    assertThat(readAll(kinesis, ShardIteratorType.AFTER_SEQUENCE_NUMBER, second.sequenceNumber(), null))
        .containsExactly("three");
    // A millisecond either side of an arrival time: the fraction of a second must survive the trip.
    assertThat(readAll(kinesis, ShardIteratorType.AT_TIMESTAMP, null, START.plusSeconds(1)))
        .containsExactly("two", "three");
    assertThat(readAll(kinesis, ShardIteratorType.AT_TIMESTAMP, null, START.plusSeconds(1).minusMillis(1)))
        .containsExactly("two", "three");
    assertThat(readAll(kinesis, ShardIteratorType.AT_TIMESTAMP, null, START.plusSeconds(1).plusMillis(1)))
        .containsExactly("three");
    String latest = kinesis.getShardIterator(b -> b.streamARN(arn("s")).shardId(shardId(1))
        .shardIteratorType(ShardIteratorType.LATEST)).shardIterator();
    assertThat(kinesis.getRecords(b -> b.shardIterator(latest)).records()).isEmpty();
    kinesis.putRecord(b -> b.streamName("s").partitionKey("k").explicitHashKey(upper).data(utf8("four")));
    assertThat(kinesis.getRecords(b -> b.shardIterator(latest).streamARN(arn("s"))).records())
        .extracting(r -> r.data().asUtf8String()).containsExactly("four");
    assertThat(third).isNotNull();
  }

  private List<String> readAll(KinesisClient kinesis, ShardIteratorType type, @Nullable String sequenceNumber,
      @Nullable Instant timestamp) {
    String iterator = kinesis.getShardIterator(b -> b.streamName("s").shardId(shardId(1))
        .shardIteratorType(type).startingSequenceNumber(sequenceNumber).timestamp(timestamp)).shardIterator();
    return kinesis.getRecords(b -> b.shardIterator(iterator)).records().stream()
        .map(r -> r.data().asUtf8String()).collect(Collectors.toList());
  }

  // ---- shards ----

  @BothFormats
  void reshardsAndEndsClosedShardsWithTheirChildren(boolean cbor) {
    KinesisClient kinesis = start(cbor);
    kinesis.createStream(b -> b.streamName("s").shardCount(2));
    kinesis.putRecord(b -> b.streamName("s").partitionKey("k").explicitHashKey("0").data(utf8("before")));
    String middle = BigInteger.TWO.pow(126).toString();
    kinesis.splitShard(b -> b.streamName("s").shardToSplit(shardId(0)).newStartingHashKey(middle));
    List<Shard> shards = kinesis.listShards(b -> b.streamName("s")).shards();
    assertThat(ids(shards)).containsExactly(shardId(0), shardId(1), shardId(2), shardId(3));
    assertThat(shards.get(0).sequenceNumberRange().endingSequenceNumber()).isNotNull();
    assertThat(shards.get(2).parentShardId()).isEqualTo(shardId(0));
    assertThat(shards.get(3).hashKeyRange().startingHashKey()).isEqualTo(middle);

    String iterator = kinesis.getShardIterator(b -> b.streamName("s").shardId(shardId(0))
        .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
    GetRecordsResponse end = kinesis.getRecords(b -> b.shardIterator(iterator));
    assertThat(end.records()).extracting(r -> r.data().asUtf8String()).containsExactly("before");
    assertThat(end.nextShardIterator()).isNull();
    assertThat(end.millisBehindLatest()).isZero();
    assertThat(end.childShards()).extracting(ChildShard::shardId).containsExactly(shardId(2), shardId(3));
    assertThat(end.childShards()).allSatisfy(child -> assertThat(child.parentShards()).containsExactly(shardId(0)));
    assertThat(end.childShards().get(1).hashKeyRange().startingHashKey()).isEqualTo(middle);

    kinesis.mergeShards(b -> b.streamARN(arn("s")).shardToMerge(shardId(2)).adjacentShardToMerge(shardId(3)));
    Shard merged = kinesis.describeStream(b -> b.streamName("s")).streamDescription().shards().get(4);
    assertThat(merged.shardId()).isEqualTo(shardId(4));
    assertThat(merged.parentShardId()).isEqualTo(shardId(2));
    assertThat(merged.adjacentParentShardId()).isEqualTo(shardId(3));

    var updated = kinesis.updateShardCount(b -> b.streamARN(arn("s")).targetShardCount(4)
        .scalingType(ScalingType.UNIFORM_SCALING));
    assertThat(updated.streamName()).isEqualTo("s");
    assertThat(updated.streamARN()).isEqualTo(arn("s"));
    assertThat(updated.currentShardCount()).isEqualTo(2);
    assertThat(updated.targetShardCount()).isEqualTo(4);
    assertThat(kinesis.describeStreamSummary(b -> b.streamName("s")).streamDescriptionSummary().openShardCount())
        .isEqualTo(4);
  }

  /** Shard 0 split one minute after creation; the listings look at the times around it. */
  @BothFormats
  void listsShardsWithEveryFilterAndPagesAsBeamDoes(boolean cbor) {
    KinesisClient kinesis = start(cbor);
    kinesis.createStream(b -> b.streamName("s").shardCount(2));
    clock.advance(Duration.ofMinutes(1));
    Instant split = clock.instant();
    kinesis.splitShard(b -> b.streamName("s").shardToSplit(shardId(0))
        .newStartingHashKey(BigInteger.TWO.pow(126).toString()));
    clock.advance(Duration.ofMinutes(1));

    assertThat(listShards(kinesis, ShardFilterType.AT_TRIM_HORIZON, null, null))
        .containsExactly(shardId(0), shardId(1));
    assertThat(listShards(kinesis, ShardFilterType.FROM_TRIM_HORIZON, null, null))
        .containsExactly(shardId(0), shardId(1), shardId(2), shardId(3));
    assertThat(listShards(kinesis, ShardFilterType.AT_LATEST, null, null))
        .containsExactly(shardId(1), shardId(2), shardId(3));
    assertThat(listShards(kinesis, ShardFilterType.AFTER_SHARD_ID, shardId(1), null))
        .containsExactly(shardId(2), shardId(3));
    assertThat(listShards(kinesis, ShardFilterType.AT_TIMESTAMP, null, split.minusMillis(1)))
        .containsExactly(shardId(0), shardId(1));
    assertThat(listShards(kinesis, ShardFilterType.AT_TIMESTAMP, null, split.plusMillis(1)))
        .containsExactly(shardId(1), shardId(2), shardId(3));
    assertThat(listShards(kinesis, ShardFilterType.FROM_TIMESTAMP, null, split.minusMillis(1)))
        .containsExactly(shardId(0), shardId(1), shardId(2), shardId(3));
    assertThat(listShards(kinesis, ShardFilterType.FROM_TIMESTAMP, null, split.plusMillis(1)))
        .containsExactly(shardId(1), shardId(2), shardId(3));

    // Beam repeats the stream name and the filter with every token, one page of MaxResults each.
    List<String> paged = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String current = token;
      ListShardsResponse page = kinesis.listShards(b -> b.streamName("s").maxResults(1).nextToken(current)
          .shardFilter(f -> f.type(ShardFilterType.FROM_TRIM_HORIZON)));
      assertThat(page.shards()).hasSizeLessThanOrEqualTo(1);
      paged.addAll(ids(page.shards()));
      token = page.nextToken();
      pages++;
    } while (token != null && pages < 10);
    assertThat(paged).containsExactly(shardId(0), shardId(1), shardId(2), shardId(3));

    // And the service's own way: the token alone.
    ListShardsResponse first = kinesis.listShards(b -> b.streamARN(arn("s")).maxResults(3));
    assertThat(ids(first.shards())).containsExactly(shardId(0), shardId(1), shardId(2));
    assertThat(ids(kinesis.listShards(b -> b.nextToken(first.nextToken())).shards())).containsExactly(shardId(3));
    assertThat(ids(kinesis.listShards(b -> b.streamName("s").exclusiveStartShardId(shardId(2))).shards()))
        .containsExactly(shardId(3));
  }

  private static List<String> listShards(KinesisClient kinesis, ShardFilterType type, @Nullable String shardId,
      @Nullable Instant timestamp) {
    return ids(kinesis.listShards(b -> b.streamName("s")
        .shardFilter(f -> f.type(type).shardId(shardId).timestamp(timestamp))).shards());
  }

  // ---- encryption ----

  @BothFormats
  void startsAndStopsEncryption(boolean cbor) {
    KinesisClient kinesis = start(cbor);
    kinesis.createStream(b -> b.streamName("s").shardCount(1));
    kinesis.startStreamEncryption(b -> b.streamARN(arn("s")).encryptionType(EncryptionType.KMS)
        .keyId("alias/aws/kinesis"));
    StreamDescriptionSummary summary = kinesis.describeStreamSummary(b -> b.streamName("s")).streamDescriptionSummary();
    assertThat(summary.encryptionType()).isEqualTo(EncryptionType.KMS);
    assertThat(summary.keyId()).isEqualTo("alias/aws/kinesis");
    PutRecordResponse put = kinesis.putRecord(b -> b.streamName("s").partitionKey("k").data(utf8("secret")));
    assertThat(put.encryptionType()).isEqualTo(EncryptionType.KMS);
    String iterator = kinesis.getShardIterator(b -> b.streamName("s").shardId(shardId(0))
        .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
    Record record = kinesis.getRecords(b -> b.shardIterator(iterator)).records().get(0);
    assertThat(record.data().asUtf8String()).isEqualTo("secret");
    assertThat(record.encryptionType()).isEqualTo(EncryptionType.KMS);

    kinesis.stopStreamEncryption(b -> b.streamARN(arn("s")).encryptionType(EncryptionType.KMS).keyId("alias/aws/kinesis"));
    summary = kinesis.describeStreamSummary(b -> b.streamName("s")).streamDescriptionSummary();
    assertThat(summary.encryptionType()).isEqualTo(EncryptionType.NONE);
    assertThat(kinesis.putRecord(b -> b.streamName("s").partitionKey("k").data(utf8("plain"))).encryptionType())
        .isEqualTo(EncryptionType.NONE);

    assertThatThrownBy(() -> kinesis.startStreamEncryption(b -> b.streamName("s").encryptionType(EncryptionType.KMS)
        .keyId("alias/missing")))
        .isInstanceOfSatisfying(KmsNotFoundException.class, e -> assertError(e, 400, "KMSNotFoundException"))
        .hasMessageContaining("alias/missing");
  }

  // ---- consumers ----

  @BothFormats
  void registersListsDescribesAndDeregistersConsumers(boolean cbor) {
    KinesisClient kinesis = start(cbor);
    kinesis.createStream(b -> b.streamName("s").shardCount(1));
    List<String> arns = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String name = "c" + i;
      var consumer = kinesis.registerStreamConsumer(b -> b.streamARN(arn("s")).consumerName(name)).consumer();
      assertThat(consumer.consumerName()).isEqualTo(name);
      assertThat(consumer.consumerARN()).startsWith(arn("s") + "/consumer/" + name + ":");
      assertThat(consumer.consumerStatus()).isIn(ConsumerStatus.CREATING, ConsumerStatus.ACTIVE);
      assertThat(consumer.consumerCreationTimestamp()).isEqualTo(START);
      arns.add(consumer.consumerARN());
    }
    assertThatThrownBy(() -> kinesis.registerStreamConsumer(b -> b.streamARN(arn("s")).consumerName("c0")))
        .isInstanceOfSatisfying(ResourceInUseException.class, e -> assertError(e, 400, "ResourceInUseException"));

    ConsumerDescription byArn = kinesis.describeStreamConsumer(b -> b.consumerARN(arns.get(1))).consumerDescription();
    assertThat(byArn.consumerName()).isEqualTo("c1");
    assertThat(byArn.streamARN()).isEqualTo(arn("s"));
    assertThat(byArn.consumerStatus()).isEqualTo(ConsumerStatus.ACTIVE);
    assertThat(byArn.consumerCreationTimestamp()).isEqualTo(START);
    ConsumerDescription byName = kinesis.describeStreamConsumer(b -> b.streamARN(arn("s")).consumerName("c2"))
        .consumerDescription();
    assertThat(byName.consumerARN()).isEqualTo(arns.get(2));

    List<String> listed = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String current = token;
      ListStreamConsumersResponse page = kinesis.listStreamConsumers(b -> b.streamARN(arn("s")).maxResults(2)
          .nextToken(current));
      assertThat(page.consumers()).hasSizeBetween(1, 2);
      page.consumers().forEach(c -> {
        assertThat(c.consumerCreationTimestamp()).isEqualTo(START);
        listed.add(c.consumerARN());
      });
      token = page.nextToken();
      pages++;
    } while (token != null && pages < 10);
    assertThat(pages).isEqualTo(3);
    assertThat(listed).containsExactlyInAnyOrderElementsOf(arns);
    assertThat(kinesis.describeStreamSummary(b -> b.streamName("s")).streamDescriptionSummary().consumerCount())
        .isEqualTo(5);

    kinesis.deregisterStreamConsumer(b -> b.consumerARN(arns.get(0)));
    kinesis.deregisterStreamConsumer(b -> b.streamARN(arn("s")).consumerName("c1"));
    assertThatThrownBy(() -> kinesis.describeStreamConsumer(b -> b.consumerARN(arns.get(0))))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(() -> kinesis.describeStreamConsumer(b -> b.streamARN(arn("s")).consumerName("c1")))
        .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("c1");
    assertThat(kinesis.listStreamConsumers(b -> b.streamARN(arn("s"))).consumers()).hasSize(3);

    // Consumers keep a stream from being deleted unless their deletion is enforced.
    assertThatThrownBy(() -> kinesis.deleteStream(b -> b.streamName("s")))
        .isInstanceOfSatisfying(ResourceInUseException.class, e -> assertError(e, 400, "ResourceInUseException"));
    kinesis.deleteStream(b -> b.streamName("s").enforceConsumerDeletion(true));
    assertThat(kinesis.listStreams().streamNames()).isEmpty();
  }

  // ---- errors ----

  private static void assertError(AwsServiceException e, int status, String code) {
    assertThat(e.statusCode()).as("HTTP status of %s", code).isEqualTo(status);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
    assertThat(e.awsErrorDetails().errorMessage()).isNotBlank();
    assertThat(e.numAttempts()).as("attempts").isEqualTo(1);
  }

  @BothFormats
  void sendsEachErrorAsItsSdkExceptionWithTheServiceStatus(boolean cbor) {
    KinesisClient kinesis = start(cbor);
    kinesis.createStream(b -> b.streamName("s").shardCount(1));

    assertThatThrownBy(() -> kinesis.describeStreamSummary(b -> b.streamName("missing")))
        .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> assertError(e, 400, "ResourceNotFoundException"))
        .hasMessageContaining("missing");
    assertThatThrownBy(() -> kinesis.getShardIterator(b -> b.streamName("s").shardId(shardId(7))
        .shardIteratorType(ShardIteratorType.LATEST)))
        .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> assertError(e, 400, "ResourceNotFoundException"))
        .hasMessageContaining(shardId(7));
    assertThatThrownBy(() -> kinesis.createStream(b -> b.streamName("s").shardCount(1)))
        .isInstanceOfSatisfying(ResourceInUseException.class, e -> assertError(e, 400, "ResourceInUseException"))
        .hasMessageContaining("s");
    assertThatThrownBy(() -> kinesis.increaseStreamRetentionPeriod(b -> b.streamName("s").retentionPeriodHours(9000)))
        .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertError(e, 400, "InvalidArgumentException"))
        .hasMessageContaining("9000");
    assertThatThrownBy(() -> kinesis.getShardIterator(b -> b.streamName("s").shardId(shardId(0))
        .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER)))
        .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertError(e, 400, "InvalidArgumentException"));
    assertThatThrownBy(() -> kinesis.getRecords(b -> b.shardIterator("bm90IGFuIGl0ZXJhdG9y")))
        .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertError(e, 400, "InvalidArgumentException"));
    assertThatThrownBy(() -> kinesis.createStream(b -> b.streamName("huge").shardCount(1000)))
        .isInstanceOfSatisfying(LimitExceededException.class, e -> assertError(e, 400, "LimitExceededException"));
    assertThatThrownBy(() -> kinesis.createStream(b -> b.streamName("none").shardCount(0)))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertError(e, 400, "ValidationException"))
        .hasMessageContaining("shardCount");
    assertThatThrownBy(() -> kinesis.putRecord(b -> b.streamName("s").partitionKey("").data(utf8("x"))))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertError(e, 400, "ValidationException"))
        .hasMessageContaining("partitionKey");
    assertThatThrownBy(() -> kinesis.describeStreamSummary(b -> b.streamName("bad name!")))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertError(e, 400, "ValidationException"))
        .hasMessageContaining("streamName");
    assertThatThrownBy(() -> kinesis.describeStreamSummary(b -> b.streamARN("arn:aws:kinesis:us-east-1:1:stream/s")))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertError(e, 400, "ValidationException"))
        .hasMessageContaining("streamARN");
    assertThatThrownBy(() -> kinesis.registerStreamConsumer(b -> b.streamARN(arn("s")).consumerName("my consumer")))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertError(e, 400, "ValidationException"))
        .hasMessageContaining("consumerName");
    assertThatThrownBy(() -> kinesis.putRecord(b -> b.streamName("s").partitionKey("k").explicitHashKey("x1")
        .data(utf8("x"))))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertError(e, 400, "ValidationException"))
        .hasMessageContaining("explicitHashKey");
    String overMaxHashKey = BigInteger.TWO.pow(128).toString();
    assertThatThrownBy(() -> kinesis.putRecords(b -> b.streamName("s").records(PutRecordsRequestEntry.builder()
        .partitionKey("k").explicitHashKey(overMaxHashKey).data(utf8("x")).build())))
        .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertError(e, 400, "InvalidArgumentException"))
        .hasMessageContaining(overMaxHashKey);
    SdkBytes tooBig = SdkBytes.fromByteArray(new byte[(1 << 20) + 1]);
    assertThatThrownBy(() -> kinesis.putRecord(b -> b.streamName("s").partitionKey("k").data(tooBig)))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertError(e, 400, "ValidationException"))
        .hasMessageContaining("data");
    List<PutRecordsRequestEntry> tooMany = IntStream.range(0, 501).mapToObj(i -> PutRecordsRequestEntry.builder()
        .partitionKey("k" + i).data(utf8("x")).build()).toList();
    assertThatThrownBy(() -> kinesis.putRecords(b -> b.streamName("s").records(tooMany)))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertError(e, 400, "ValidationException"))
        .hasMessageContaining("records").hasMessageContaining("501");
    assertThatThrownBy(() -> kinesis.listShards(b -> b.streamName("s").maxResults(0)))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertError(e, 400, "ValidationException"))
        .hasMessageContaining("maxResults");
    String anyIterator = kinesis.getShardIterator(b -> b.streamName("s").shardId(shardId(0))
        .shardIteratorType(ShardIteratorType.LATEST)).shardIterator();
    assertThatThrownBy(() -> kinesis.getRecords(b -> b.shardIterator(anyIterator).limit(0)))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertError(e, 400, "ValidationException"))
        .hasMessageContaining("limit");

    String iterator = kinesis.getShardIterator(b -> b.streamName("s").shardId(shardId(0))
        .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
    clock.advance(Duration.ofMinutes(6));
    assertThatThrownBy(() -> kinesis.getRecords(b -> b.shardIterator(iterator)))
        .isInstanceOfSatisfying(ExpiredIteratorException.class, e -> assertError(e, 400, "ExpiredIteratorException"));
  }

  /** Throttling is on here, so a batch over a shard's 1 MiB/s fails entry by entry. */
  @BothFormats
  void reportsThrottlingPerEntryAndPerCall(boolean cbor) {
    KinesisClient kinesis = client(cbor, server(store(b -> b.setThrottling(ThrottlingMode.AWS))));
    kinesis.createStream(b -> b.streamName("s").shardCount(1));
    SdkBytes payload = SdkBytes.fromByteArray(new byte[8 * 1024]);
    List<PutRecordsRequestEntry> entries = IntStream.range(0, 200)
        .mapToObj(i -> PutRecordsRequestEntry.builder().partitionKey("k" + i).data(payload).build())
        .collect(Collectors.toList());
    PutRecordsResponse batch = kinesis.putRecords(b -> b.streamName("s").records(entries));
    assertThat(batch.records()).hasSize(200);
    assertThat(batch.failedRecordCount()).isBetween(1, 199);
    List<PutRecordsResultEntry> failed = batch.records().stream().filter(e -> e.errorCode() != null)
        .collect(Collectors.toList());
    assertThat(failed).hasSize(batch.failedRecordCount());
    assertThat(failed).allSatisfy(entry -> {
      assertThat(entry.errorCode()).isEqualTo("ProvisionedThroughputExceededException");
      assertThat(entry.errorMessage()).isNotBlank();
      assertThat(entry.sequenceNumber()).isNull();
      assertThat(entry.shardId()).isNull();
    });
    assertThat(batch.records().get(0).sequenceNumber()).isNotNull();

    assertThatThrownBy(() -> kinesis.putRecord(b -> b.streamName("s").partitionKey("k").data(payload)))
        .isInstanceOfSatisfying(ProvisionedThroughputExceededException.class,
            e -> assertError(e, 400, "ProvisionedThroughputExceededException"));
    String iterator = kinesis.getShardIterator(b -> b.streamName("s").shardId(shardId(0))
        .shardIteratorType(ShardIteratorType.LATEST)).shardIterator();
    for (int i = 0; i < 5; i++) {
      kinesis.getRecords(b -> b.shardIterator(iterator));
    }
    assertThatThrownBy(() -> kinesis.getRecords(b -> b.shardIterator(iterator)))
        .isInstanceOfSatisfying(ProvisionedThroughputExceededException.class,
            e -> assertError(e, 400, "ProvisionedThroughputExceededException"));
  }

  /**
   * An internal failure is a 500 that the SDK retries, and a client error is sent once: the
   * SDK's retries neither hide the server's errors nor repeat what cannot succeed. The failure
   * comes from a store that fails DescribeLimits, the one seam no real store offers.
   */
  @BothFormats
  void internalFailureIsA500ThatTheSdkRetriesAndClientErrorsAreNot(boolean cbor) {
    LocalStreamStore store = store(b -> {});
    Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    StreamClient failing = (StreamClient) Proxy.newProxyInstance(StreamClient.class.getClassLoader(),
        new Class<?>[] {StreamClient.class}, (proxy, method, args) -> {
          calls.computeIfAbsent(method.getName(), k -> new AtomicInteger()).incrementAndGet();
          if (method.getName().equals("describeLimits")) {
            throw new InternalFailureException("the disk went away");
          }
          try {
            return method.invoke(store, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    KinesisServer server = server(failing);
    KinesisClient once = client(cbor, server);
    assertThatThrownBy(once::describeLimits)
        .isExactlyInstanceOf(KinesisException.class)
        .isInstanceOfSatisfying(KinesisException.class, e -> assertError(e, 500, "InternalFailure"))
        .hasMessageContaining("the disk went away");
    assertThat(calls.get("describeLimits")).hasValue(1);

    KinesisClient retrying = client(cbor, server, true);
    assertThatThrownBy(retrying::describeLimits)
        .isInstanceOfSatisfying(KinesisException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(500);
          assertThat(e.numAttempts()).isGreaterThan(1);
        });
    assertThat(calls.get("describeLimits").get()).isGreaterThan(2);
    assertThatThrownBy(() -> retrying.describeStreamSummary(b -> b.streamName("missing")))
        .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> assertThat(e.numAttempts()).isEqualTo(1));
    assertThat(calls.get("describeStreamSummary")).hasValue(1);
  }

  /** The same store data must be visible whichever name a request uses for the stream. */
  @BothFormats
  void acceptsStreamArnWhereverTheServiceDoes(boolean cbor) {
    KinesisClient kinesis = start(cbor);
    kinesis.createStream(b -> b.streamName("s").shardCount(1));
    assertThatThrownBy(() -> kinesis.describeStreamSummary(b -> b.streamARN(arn("other"))))
        .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("other");
    assertThat(ids(kinesis.listShards(b -> b.streamARN(arn("s"))).shards())).containsExactly(shardId(0));
    kinesis.splitShard(b -> b.streamARN(arn("s")).shardToSplit(shardId(0))
        .newStartingHashKey(BigInteger.TWO.pow(127).toString()));
    assertThat(kinesis.describeStreamSummary(b -> b.streamARN(arn("s"))).streamDescriptionSummary()
        .openShardCount()).isEqualTo(2);
    kinesis.deleteStream(b -> b.streamARN(arn("s")).enforceConsumerDeletion(true));
    assertThat(kinesis.listStreams().streamNames()).isEmpty();
  }
}
