package dev.freshet.transforms.firehose;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The S3 destination against a real S3 API server in this JVM: s3proxy over its transient
 * (in-memory) blob store, on a loopback port, with SigV4 authentication.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class S3DestinationIT {
  private static final String ACCESS = "freshet-access";
  private static final String SECRET = "freshet-secret";
  private static BlobStoreContext context;
  private static S3Proxy proxy;
  private static URI endpoint;
  private static S3Client s3;

  @BeforeAll
  static void startS3Proxy() throws Exception {
    context = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
        .build(BlobStoreContext.class);
    proxy = S3Proxy.builder().blobStore(context.getBlobStore())
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET)
        .endpoint(URI.create("http://127.0.0.1:0")).build();
    proxy.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    s3 = S3Client.builder().httpClientBuilder(ApacheHttpClient.builder()).region(Region.US_EAST_1)
        .endpointOverride(endpoint).forcePathStyle(true)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET))).build();
    s3.createBucket(b -> b.bucket("lake"));
  }

  @AfterAll
  static void stopS3Proxy() throws Exception {
    if (s3 != null) {
      s3.close();
    }
    if (proxy != null) {
      proxy.stop();
    }
    if (context != null) {
      context.close();
    }
  }

  private static TreeMap<String, byte[]> objects(String prefix) {
    TreeMap<String, byte[]> out = new TreeMap<>();
    for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket("lake").prefix(prefix)).contents()) {
      out.put(object.key(), Objects.decompress(object.key(),
          s3.getObjectAsBytes(b -> b.bucket("lake").key(object.key())).asByteArray()));
    }
    return out;
  }

  private static S3Destination destination() {
    return S3Destination.builder().setBucket("lake").setEndpoint(endpoint).setPathStyle(true)
        .setCredentials(ACCESS, SECRET).build();
  }

  @Test
  void deliversPartitionedCompressedObjectsAndErrorsToAnS3Api() {
    List<FirehoseRecord> records = new ArrayList<>(FirehoseDeliveryTest.jsonRecords(300, 2));
    records.add(FirehoseRecord.ofText("no json here", FirehoseDeliveryTest.T0));
    Pipeline pipeline = FirehoseDeliveryTest.directPipeline();
    pipeline.apply(Create.of(records)).apply(FirehoseDelivery.to(destination())
        .withDeliveryStreamName("to-s3").withCompression(CompressionFormat.GZIP).withAppendDelimiter(true)
        .withPartitionKeyFromQuery("customer", ".customer")
        .withPrefix("data/customer=!{partitionKeyFromQuery:customer}/!{timestamp:yyyy-MM-dd}/")
        .withErrorOutputPrefix("errors/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/"));
    FirehoseDeliveryTest.run(pipeline);

    TreeMap<String, byte[]> data = objects("data/");
    assertThat(data.keySet()).allMatch(key -> key.matches(
        "data/customer=c[01]/2024-03-07/to-s3-1-2024-03-07-\\d\\d-\\d\\d-\\d\\d-[0-9a-f-]{36}\\.gz"));
    assertThat(Objects.lines(data)).containsExactlyInAnyOrderElementsOf(
        FirehoseDeliveryTest.texts(records.subList(0, 300)));
    TreeMap<String, byte[]> errors = objects("errors/");
    assertThat(errors.keySet()).singleElement().asString().startsWith("errors/partitioning-failed/2024-03-07/to-s3-1-");
    List<String> lines = Objects.lines(errors);
    assertThat(lines).singleElement().satisfies(line -> assertThat(new String(java.util.Base64.getDecoder().decode(
        FirehoseDeliveryTest.json(line).get("rawData").asText()), StandardCharsets.UTF_8)).isEqualTo("no json here"));
  }

  @Test
  void snappyObjectsReadBackWithSnappyJavasReaders() {
    List<FirehoseRecord> records = FirehoseDeliveryTest.jsonRecords(100, 1);
    Pipeline pipeline = FirehoseDeliveryTest.directPipeline();
    pipeline.apply(Create.of(records)).apply(FirehoseDelivery.to(destination())
        .withDeliveryStreamName("snappy").withCompression(CompressionFormat.SNAPPY).withAppendDelimiter(true)
        .withPrefix("snappy/"));
    FirehoseDeliveryTest.run(pipeline);
    TreeMap<String, byte[]> objects = objects("snappy/");
    assertThat(objects.keySet()).allMatch(key -> key.startsWith("snappy/2024/03/07/09/snappy-1-") && key.endsWith(".snappy"));
    assertThat(Objects.lines(objects)).containsExactlyInAnyOrderElementsOf(FirehoseDeliveryTest.texts(records));
  }
}
