package dev.freshet.transforms.firehose;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Objects in a bucket of any S3 API (Amazon S3, or an S3-compatible server through {@link
 * Builder#setEndpoint(URI)} and path-style addressing), through the AWS SDK v2.
 *
 * <pre>{@code
 * S3Destination.builder()
 *     .setBucket("deliveries")                            // required; must exist
 *     .setEndpoint(URI.create("http://127.0.0.1:9000"))   // default: the SDK's endpoint for the region
 *     .setPathStyle(true)                                 // default false
 *     .setRegion("us-east-1")                             // default us-east-1
 *     .setCredentials("access-key", "secret-key")         // default: the SDK's default chain
 *     .build();
 * }</pre>
 *
 * <p>Each object is written to a local temporary file first and then sent with one PutObject of
 * known length, so a failed put leaves no object behind. Request checksums are sent only when the
 * operation requires them, which S3-compatible servers that predate the SDK's newer default
 * checksums also accept.
 */
@AutoValue
public abstract class S3Destination implements FirehoseDestination {
  private static final long serialVersionUID = 1L;

  public static Builder builder() {
    return new AutoValue_S3Destination.Builder().setRegion("us-east-1").setPathStyle(false);
  }

  public abstract String bucket();

  public abstract @Nullable URI endpoint();

  public abstract String region();

  public abstract boolean pathStyle();

  abstract @Nullable String accessKeyId();

  abstract @Nullable String secretAccessKey();

  /** Settings of an {@link S3Destination}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setBucket(String bucket);

    /** Another S3 API than Amazon S3's endpoint for the region. */
    public abstract Builder setEndpoint(@Nullable URI endpoint);

    public abstract Builder setRegion(String region);

    /** {@code http://host/bucket/key} instead of {@code http://bucket.host/key}. */
    public abstract Builder setPathStyle(boolean pathStyle);

    abstract Builder setAccessKeyId(@Nullable String accessKeyId);

    abstract Builder setSecretAccessKey(@Nullable String secretAccessKey);

    /** Static credentials instead of the SDK's default credentials chain. */
    public Builder setCredentials(String accessKeyId, String secretAccessKey) {
      return setAccessKeyId(accessKeyId).setSecretAccessKey(secretAccessKey);
    }

    abstract S3Destination autoBuild();

    public S3Destination build() {
      S3Destination destination = autoBuild();
      checkArgument(!destination.bucket().isEmpty(), "bucket must not be empty");
      checkArgument((destination.accessKeyId() == null) == (destination.secretAccessKey() == null),
          "credentials need both an access key id and a secret access key");
      return destination;
    }
  }

  @Override
  public Connection connect() {
    S3ClientBuilder builder = S3Client.builder()
        .httpClientBuilder(ApacheHttpClient.builder())
        .region(Region.of(region()))
        .credentialsProvider(credentials())
        .forcePathStyle(pathStyle())
        .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED);
    if (endpoint() != null) {
      builder.endpointOverride(endpoint());
    }
    S3Client client = builder.build();
    return new Connection() {
      @Override
      public void put(String key, Body body) throws IOException {
        Path temp = Files.createTempFile("freshet-firehose-", ".part");
        try {
          try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 64 * 1024)) {
            body.writeTo(out);
          }
          client.putObject(PutObjectRequest.builder().bucket(bucket()).key(key).build(),
              RequestBody.fromFile(temp));
        } catch (SdkException e) {
          throw new IOException("could not put " + key + " to " + describe() + ": " + e.getMessage(), e);
        } finally {
          Files.deleteIfExists(temp);
        }
      }

      @Override
      public void close() {
        client.close();
      }
    };
  }

  private AwsCredentialsProvider credentials() {
    if (accessKeyId() == null) {
      return DefaultCredentialsProvider.builder().build();
    }
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId(), secretAccessKey()));
  }

  @Override
  public String describe() {
    return "s3://" + bucket() + (endpoint() == null ? "" : " at " + endpoint());
  }

  @Override
  public final String toString() {
    return "S3Destination{" + describe() + ", region=" + region() + ", pathStyle=" + pathStyle() + "}";
  }
}
