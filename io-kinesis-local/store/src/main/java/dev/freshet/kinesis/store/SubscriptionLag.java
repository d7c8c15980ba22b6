package dev.freshet.kinesis.store;

import com.google.auto.value.AutoValue;

/**
 * One live enhanced fan-out subscription and how far behind it is: the consumer, the shard, the
 * {@code MillisBehindLatest} of its last event (-1 before its first) and the records written to the
 * shard that it has not been sent yet. See {@link LocalStreamStore#subscriptionLag(String)}.
 */
@AutoValue
public abstract class SubscriptionLag {
  static SubscriptionLag of(String consumerName, String shardId, long millisBehindLatest, long recordsBehind) {
    return new AutoValue_SubscriptionLag(consumerName, shardId, millisBehindLatest, recordsBehind);
  }

  public abstract String consumerName();

  public abstract String shardId();

  /** As in the subscription's last event; -1 if it has sent none yet. */
  public abstract long millisBehindLatest();

  /** Records in the shard after the subscription's position. */
  public abstract long recordsBehind();
}
