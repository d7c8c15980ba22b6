package dev.freshet.kinesis.firehose;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Settings of the Firehose service: the data folder (delivery streams under {@code firehose/}),
 * the region and account of its ARNs, and where S3 destinations deliver.
 *
 * <pre>{@code
 * FirehoseServiceConfig config = FirehoseServiceConfig.builder(dataDir)  // required
 *     .setRegion("us-east-1").setAccount("000000000000")                // defaults
 *     .setS3Server("127.0.0.1", 4568)                                   // default: no S3 API of its own
 *     .setS3Endpoint(URI.create("http://127.0.0.1:9000"))               // default: that S3 API, else files
 *     .build();
 * }</pre>
 */
@AutoValue
public abstract class FirehoseServiceConfig {
  /** The defaults on {@code dataDir}: us-east-1, account 000000000000, S3 objects as files under {@code dataDir/s3}. */
  public static Builder builder(Path dataDir) {
    return new AutoValue_FirehoseServiceConfig.Builder().setDataDir(dataDir).setRegion("us-east-1")
        .setAccount("000000000000");
  }

  public abstract Path dataDir();

  public abstract String region();

  public abstract String account();

  /**
   * The S3 API that S3 destinations ({@code BucketARN arn:aws:s3:::NAME}) put to, path-style;
   * empty: straight into {@code <dataDir>/s3/NAME/} as files.
   */
  public abstract Optional<URI> s3Endpoint();

  /**
   * Where the service serves its own S3 API over {@code <dataDir>/s3} (s3proxy), as host and port
   * (0: a free port); empty: no S3 API of its own. S3 destinations then deliver into it, unless
   * {@link #s3Endpoint()} is set.
   */
  public abstract Optional<String> s3Host();

  public abstract Optional<Integer> s3Port();

  /** The folder of this service's own files: {@code <dataDir>/firehose}. */
  public Path firehoseDir() {
    return dataDir().resolve("firehose");
  }

  /** The builder. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setDataDir(Path dataDir);

    public abstract Builder setRegion(String region);

    public abstract Builder setAccount(String account);

    public abstract Builder setS3Endpoint(URI endpoint);

    abstract Builder setS3Host(String host);

    abstract Builder setS3Port(Integer port);

    /** Serves the S3 API on {@code host:port} (0: a free port). */
    public Builder setS3Server(String host, int port) {
      checkArgument(port >= 0 && port <= 65535, "s3Port must be between 0 and 65535, but was: %s", port);
      return setS3Host(host).setS3Port(port);
    }

    abstract FirehoseServiceConfig autoBuild();

    public FirehoseServiceConfig build() {
      FirehoseServiceConfig config = autoBuild();
      checkArgument(config.account().matches("\\d{12}"), "account must be 12 digits, but was: %s", config.account());
      checkArgument(!config.region().isEmpty(), "region must not be empty");
      return config;
    }
  }
}
