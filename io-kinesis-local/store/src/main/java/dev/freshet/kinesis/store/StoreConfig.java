package dev.freshet.kinesis.store;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import dev.freshet.kinesis.log.Durability;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link LocalStreamStore} runs: its data folder, durability, throttling and limits.
 *
 * <pre>{@code
 * StoreConfig config = StoreConfig.builder(Path.of("freshet-data"))   // required: the data folder
 *     .setDurability(Durability.FSYNC)                                 // default OS
 *     .setThrottling(ThrottlingMode.AWS)                               // default OFF
 *     .build();
 * }</pre>
 */
@AutoValue
public abstract class StoreConfig {
  /** A configuration with every default, on {@code dataDir}. */
  public static Builder builder(Path dataDir) {
    return new AutoValue_StoreConfig.Builder()
        .setDataDir(dataDir)
        .setDurability(Durability.OS)
        .setThrottling(ThrottlingMode.OFF)
        .setShardLimit(500)
        .setOnDemandStreamLimit(50)
        .setOnDemandInitialShards(4)
        .setRegion("us-east-1")
        .setAccount("000000000000")
        .setStatusDelay(Duration.ZERO)
        .setClock(Clock.systemUTC())
        .setSegmentBytes(128L << 20)
        .setSegmentMaxAge(Duration.ofHours(1))
        .setIteratorTtl(Duration.ofMinutes(5))
        .setSubscriptionLifetime(Duration.ofMinutes(5))
        .setMaintenanceInterval(Duration.ofSeconds(1));
  }

  /** The folder holding streams, shard logs and the iterator secret. */
  public abstract Path dataDir();

  /** FSYNC: an acknowledged write survives a crash of the machine; OS: of the process only. */
  public abstract Durability durability();

  public abstract ThrottlingMode throttling();

  /** The most open shards over all streams (the service's account shard quota); default 500. */
  public abstract int shardLimit();

  /** The most on-demand streams; default 50, as the service. */
  public abstract int onDemandStreamLimit();

  /** The shard count an on-demand stream starts with; default 4 (4 MiB/s in), as the service. */
  public abstract int onDemandInitialShards();

  /** The region in ARNs; default us-east-1. */
  public abstract String region();

  /** The 12-digit account id in ARNs; default 000000000000. */
  public abstract String account();

  /**
   * How long a stream stays CREATING, UPDATING or DELETING (and a consumer CREATING) before the
   * change shows as done; default zero, so changes are visible at once.
   */
  public abstract Duration statusDelay();

  /** The clock for arrival times, retention, iterator and subscription expiry; tests inject one. */
  public abstract Clock clock();

  /** The size at which a shard's active segment file rolls; default 128 MiB. */
  public abstract long segmentBytes();

  /** The age at which a shard's active segment rolls, so retention can trim it; default 1 hour. */
  public abstract Duration segmentMaxAge();

  /** How long a shard iterator stays valid; default 5 minutes, as the service. */
  public abstract Duration iteratorTtl();

  /** How long an enhanced fan-out subscription lasts; default 5 minutes, as the service. */
  public abstract Duration subscriptionLifetime();

  /** How often retention and on-demand scaling run in the background; default 1 second. */
  public abstract Duration maintenanceInterval();

  /**
   * The key store file for encryption at rest; default {@code <dataDir>/keys/keystore.json}. Keep
   * it outside the data folder when the data files travel without their keys.
   */
  public abstract @Nullable Path keyStoreFile();

  /** The key store file in effect. */
  public Path effectiveKeyStoreFile() {
    Path file = keyStoreFile();
    return file != null ? file : dataDir().resolve("keys").resolve("keystore.json");
  }

  /**
   * Whether the key store in effect lies inside the data folder, where a copy of the data folder
   * carries the keys that decrypt it. The store warns when it uses keys kept there.
   */
  public boolean keysBesideData() {
    return effectiveKeyStoreFile().toAbsolutePath().normalize()
        .startsWith(dataDir().toAbsolutePath().normalize());
  }

  public abstract Builder toBuilder();

  /** Builder for {@link StoreConfig}; {@code build()} checks the ranges. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setDataDir(Path value);

    public abstract Builder setDurability(Durability value);

    public abstract Builder setThrottling(ThrottlingMode value);

    public abstract Builder setShardLimit(int value);

    public abstract Builder setOnDemandStreamLimit(int value);

    public abstract Builder setOnDemandInitialShards(int value);

    public abstract Builder setRegion(String value);

    public abstract Builder setAccount(String value);

    public abstract Builder setStatusDelay(Duration value);

    public abstract Builder setClock(Clock value);

    public abstract Builder setSegmentBytes(long value);

    public abstract Builder setSegmentMaxAge(Duration value);

    public abstract Builder setIteratorTtl(Duration value);

    public abstract Builder setSubscriptionLifetime(Duration value);

    public abstract Builder setMaintenanceInterval(Duration value);

    public abstract Builder setKeyStoreFile(@Nullable Path value);

    abstract StoreConfig autoBuild();

    public StoreConfig build() {
      StoreConfig config = autoBuild();
      checkArgument(config.shardLimit() >= 1 && config.shardLimit() <= 100_000,
          "shardLimit must be between 1 and 100000, but was: %s", config.shardLimit());
      checkArgument(config.onDemandInitialShards() >= 1
              && config.onDemandInitialShards() <= config.shardLimit(),
          "onDemandInitialShards must be between 1 and shardLimit (%s), but was: %s",
          config.shardLimit(), config.onDemandInitialShards());
      checkArgument(config.account().matches("\\d{12}"),
          "account must be 12 digits, but was: %s", config.account());
      checkArgument(config.region().matches("[a-z0-9-]{1,32}"),
          "region must be lower-case letters, digits and dashes, but was: %s", config.region());
      checkArgument(!config.statusDelay().isNegative(),
          "statusDelay must not be negative, but was: %s", config.statusDelay());
      checkArgument(config.segmentBytes() >= 4096,
          "segmentBytes must be at least 4096, but was: %s", config.segmentBytes());
      checkArgument(config.segmentMaxAge().toMillis() >= 1000,
          "segmentMaxAge must be at least 1 s, but was: %s", config.segmentMaxAge());
      checkArgument(!config.iteratorTtl().isNegative() && !config.iteratorTtl().isZero(),
          "iteratorTtl must be positive, but was: %s", config.iteratorTtl());
      checkArgument(!config.subscriptionLifetime().isNegative()
              && !config.subscriptionLifetime().isZero(),
          "subscriptionLifetime must be positive, but was: %s", config.subscriptionLifetime());
      checkArgument(config.maintenanceInterval().toMillis() >= 10,
          "maintenanceInterval must be at least 10 ms, but was: %s", config.maintenanceInterval());
      return config;
    }
  }
}
