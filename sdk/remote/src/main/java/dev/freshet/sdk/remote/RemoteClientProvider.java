package dev.freshet.sdk.remote;

import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClientProvider;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * Opens {@link RemoteStreamClient}s for {@code http:} and {@code https:} endpoints: a {@code
 * freshet server} ({@code http://localhost:4567}) or any Kinesis endpoint ({@code
 * https://kinesis.eu-west-1.amazonaws.com?region=eu-west-1}).
 *
 * <p>The query parameter {@code region} sets the signing region (default {@code us-east-1}); other
 * parameters are refused by name. Requests are signed with the credentials of the AWS default chain
 * (environment, system properties, profile files, container or instance roles) when it has any;
 * otherwise with fixed dummy credentials, which a local server with authentication off accepts and
 * which any real endpoint refuses.
 */
public final class RemoteClientProvider implements StreamClientProvider {
  private static final String DEFAULT_REGION = "us-east-1";

  @Override
  public boolean supports(URI endpoint) {
    String scheme = endpoint.getScheme();
    return "http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme);
  }

  @Override
  public StreamClient open(URI endpoint) {
    Region region = Region.of(regionOf(endpoint));
    URI base = withoutQuery(endpoint);
    AwsCredentialsProvider credentials = credentials();
    // The SDK retries nothing; see RemoteStreamClient's "Retries".
    ClientOverrideConfiguration noRetries = ClientOverrideConfiguration.builder()
        .retryStrategy(AwsRetryStrategy.doNotRetry())
        .build();
    KinesisClient sync = KinesisClient.builder()
        .endpointOverride(base)
        .region(region)
        .credentialsProvider(credentials)
        .httpClient(ApacheHttpClient.builder().maxConnections(64).build())
        .overrideConfiguration(noRetries.toBuilder()
            .addExecutionInterceptor(RemoteStreamClient.producerFieldsInterceptor())
            .addExecutionInterceptor(RemoteStreamClient.getRecordsInterceptor())
            .build())
        .build();
    KinesisAsyncClient async = KinesisAsyncClient.builder()
        .endpointOverride(base)
        .region(region)
        .credentialsProvider(credentials)
        .httpClient(NettyNioAsyncHttpClient.builder()
            .protocol(Protocol.HTTP2)
            .connectionTimeout(Duration.ofSeconds(10))
            .build())
        .overrideConfiguration(noRetries)
        .build();
    return new RemoteStreamClient(base, sync, async);
  }

  static String regionOf(URI endpoint) {
    String region = DEFAULT_REGION;
    String query = endpoint.getQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        String[] parts = pair.split("=", 2);
        if (parts[0].equals("region") && parts.length == 2 && !parts[1].isEmpty()) {
          region = parts[1];
        } else {
          throw new IllegalArgumentException("unknown or empty setting '" + pair + "' in endpoint " + endpoint
              + "; known: region=<AWS region>, default " + DEFAULT_REGION);
        }
      }
    }
    return region;
  }

  private static URI withoutQuery(URI endpoint) {
    try {
      return new URI(endpoint.getScheme(), endpoint.getUserInfo(), endpoint.getHost(), endpoint.getPort(),
          endpoint.getPath(), null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a valid endpoint: " + endpoint, e);
    }
  }

  private static AwsCredentialsProvider credentials() {
    DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
    try {
      chain.resolveCredentials();
      return chain;
    } catch (SdkClientException noCredentials) {
      return StaticCredentialsProvider.create(AwsBasicCredentials.create("freshet", "freshet"));
    }
  }
}
