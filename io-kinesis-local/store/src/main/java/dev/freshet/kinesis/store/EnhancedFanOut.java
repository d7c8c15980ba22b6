package dev.freshet.kinesis.store;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.kinesis.store.StreamMetadata.ConsumerMetadata;
import dev.freshet.sdk.stream.Consumer;
import dev.freshet.sdk.stream.ConsumerStatus;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.SubscribeToShardEvent;
import dev.freshet.sdk.stream.errors.ResourceInUseException;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enhanced fan-out: registering, deregistering, describing and listing a stream's consumers, and
 * SubscribeToShard, which hands an accepted subscription to {@link Subscriptions}. A consumer shows
 * as CREATING for the store's status delay and takes subscriptions once ACTIVE.
 */
final class EnhancedFanOut {
  private static final Logger LOG = LoggerFactory.getLogger(EnhancedFanOut.class);

  private final LocalStreamStore store;
  private final RequestValidation validation;
  private final Arns arns;
  private final ShardIterators iterators;
  private final Subscriptions subscriptions;
  private final DataPlane dataPlane;
  private final StoreConfig config;

  EnhancedFanOut(LocalStreamStore store, RequestValidation validation, Arns arns,
      ShardIterators iterators, Subscriptions subscriptions, DataPlane dataPlane) {
    this.store = checkNotNull(store, "store");
    this.validation = checkNotNull(validation, "validation");
    this.arns = checkNotNull(arns, "arns");
    this.iterators = checkNotNull(iterators, "iterators");
    this.subscriptions = checkNotNull(subscriptions, "subscriptions");
    this.dataPlane = checkNotNull(dataPlane, "dataPlane");
    this.config = store.config();
  }

  Consumer registerStreamConsumer(String nameOrArn, String consumerName) {
    StreamState stream = store.stream(nameOrArn);
    validation.checkName("consumerName", consumerName);
    synchronized (stream) {
      Map<String, ConsumerMetadata> consumers = stream.consumers();
      if (consumers.containsKey(consumerName)) {
        throw new ResourceInUseException(String.format(
            "Consumer %s already exists on stream %s under account %s", consumerName, stream.name,
            config.account()));
      }
      validation.checkConsumerLimit(stream.name, consumers.size());
      ConsumerMetadata consumer = new ConsumerMetadata(consumerName, store.now());
      stream.putConsumer(consumer);
      LOG.info("Stream {}: consumer {} registered", stream.name, consumerName);
      return consumer(stream, consumer);
    }
  }

  private Consumer consumer(StreamState stream, ConsumerMetadata consumer) {
    ConsumerStatus status = store.now() < consumer.createdMillis() + config.statusDelay().toMillis()
        ? ConsumerStatus.CREATING : ConsumerStatus.ACTIVE;
    return Consumer.of(consumer.name(), arns.consumer(stream.name, consumer.name(), consumer.createdMillis()),
        status, Instant.ofEpochMilli(consumer.createdMillis()), stream.arn);
  }

  private record Found(StreamState stream, ConsumerMetadata consumer) {}

  private Found consumerByArn(String consumerArn) {
    checkNotNull(consumerArn, "consumerArn");
    Arns.ConsumerArn arn = arns.parseConsumer(consumerArn);
    StreamState stream = store.stream(arn.streamName());
    ConsumerMetadata consumer = stream.consumers().get(arn.consumerName());
    if (consumer == null || consumer.createdMillis() / 1000 != arn.createdSeconds()) {
      throw new ResourceNotFoundException("Consumer " + consumerArn + " not found.");
    }
    return new Found(stream, consumer);
  }

  void deregisterStreamConsumer(String consumerArn) {
    Found found = consumerByArn(consumerArn);
    found.stream().removeConsumer(found.consumer().name());
    subscriptions.endConsumer(found.stream().name, found.consumer().name());
    LOG.info("Stream {}: consumer {} deregistered", found.stream().name, found.consumer().name());
  }

  Consumer describeStreamConsumer(String consumerArn) {
    Found found = consumerByArn(consumerArn);
    return consumer(found.stream(), found.consumer());
  }

  List<Consumer> listStreamConsumers(String nameOrArn) {
    StreamState stream = store.stream(nameOrArn);
    List<Consumer> consumers = new ArrayList<>();
    for (ConsumerMetadata consumer : stream.consumers().values()) {
      consumers.add(consumer(stream, consumer));
    }
    return consumers;
  }

  void subscribeToShard(String consumerArn, String shardId, StartingPosition position,
      Flow.Subscriber<? super SubscribeToShardEvent> subscriber) {
    checkNotNull(subscriber, "subscriber");
    Found found = consumerByArn(consumerArn);
    if (consumer(found.stream(), found.consumer()).consumerStatus() != ConsumerStatus.ACTIVE) {
      throw new ResourceInUseException("Consumer " + consumerArn + " is not ACTIVE yet");
    }
    StreamState stream = found.stream();
    ShardState shard = store.shard(stream, shardId);
    String iterator = dataPlane.getShardIterator(stream.name, shardId, position);
    IteratorPosition start = iterators.decode(iterator);
    subscriptions.subscribe(dataPlane, stream, shard, found.consumer().name(), start.offset(), subscriber);
  }
}
