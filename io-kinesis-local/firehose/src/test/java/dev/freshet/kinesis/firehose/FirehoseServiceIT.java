package dev.freshet.kinesis.firehose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.EncryptionType;
import dev.freshet.sdk.stream.StreamSummary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.firehose.model.CompressionFormat;
import software.amazon.awssdk.services.firehose.model.ConcurrentModificationException;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamDescription;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamEncryptionStatus;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamStatus;
import software.amazon.awssdk.services.firehose.model.ExtendedS3DestinationConfiguration;
import software.amazon.awssdk.services.firehose.model.InvalidArgumentException;
import software.amazon.awssdk.services.firehose.model.InvalidKmsResourceException;
import software.amazon.awssdk.services.firehose.model.KeyType;
import software.amazon.awssdk.services.firehose.model.ProcessorParameterName;
import software.amazon.awssdk.services.firehose.model.ProcessorType;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.Record;
import software.amazon.awssdk.services.firehose.model.ResourceInUseException;
import software.amazon.awssdk.services.firehose.model.ResourceNotFoundException;
import software.amazon.awssdk.services.firehose.model.Tag;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The Firehose API through the AWS SDK v2 Firehose client, objects checked with the S3 client. */
class FirehoseServiceIT {
  private static FirehoseFixture fixture;

  @BeforeAll
  static void start() throws Exception {
    fixture = FirehoseFixture.start(Files.createTempDirectory("freshet-firehose-it-"), true);
  }

  @AfterAll
  static void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  private static ExtendedS3DestinationConfiguration.Builder s3(String bucket) {
    return ExtendedS3DestinationConfiguration.builder()
        .roleARN("arn:aws:iam::000000000000:role/firehose")
        .bucketARN("arn:aws:s3:::" + bucket)
        .bufferingHints(b -> b.sizeInMBs(1).intervalInSeconds(0));
  }

  private static List<String> objects(String bucket, String prefix) {
    List<String> keys = new ArrayList<>();
    for (S3Object object : fixture.s3Client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
      keys.add(object.key());
    }
    return keys;
  }

  private static String read(String bucket, String key) {
    return fixture.s3Client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String();
  }

  @Test
  void directPutRecordsAreDeliveredAsGzipJsonLinesIntoTheBucket() throws Exception {
    fixture.client.createDeliveryStream(b -> b.deliveryStreamName("clicks").deliveryStreamType("DirectPut")
        .extendedS3DestinationConfiguration(s3("lake").compressionFormat(CompressionFormat.GZIP)
            .prefix("clicks/").processingConfiguration(p -> p.enabled(true).processors(pr -> pr
                .type(ProcessorType.APPEND_DELIMITER_TO_RECORD))).build())
        .tags(Tag.builder().key("team").value("web").build()));
    fixture.awaitActive("clicks");

    List<Record> records = IntStream.range(0, 20).mapToObj(i -> Record.builder()
        .data(SdkBytes.fromUtf8String("{\"n\":" + i + "}")).build()).toList();
    PutRecordBatchResponse batch = fixture.client.putRecordBatch(b -> b.deliveryStreamName("clicks").records(records));
    assertThat(batch.failedPutCount()).isZero();
    assertThat(batch.requestResponses()).hasSize(20).allSatisfy(r -> assertThat(r.recordId()).isNotEmpty());
    String single = fixture.client.putRecord(b -> b.deliveryStreamName("clicks")
        .record(r -> r.data(SdkBytes.fromUtf8String("{\"n\":20}")))).recordId();
    assertThat(single).isNotEmpty();

    List<String> lines = new ArrayList<>();
    FirehoseFixture.await(() -> {
      lines.clear();
      for (String key : objects("lake", "clicks/")) {
        try {
          lines.addAll(Arrays.asList(FirehoseFixture.gunzip(fixture.s3Client.getObject(
              b -> b.bucket("lake").key(key))).split("\n")));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      return lines.size() >= 21;
    }, "21 records in s3://lake/clicks/");
    assertThat(lines).containsExactlyInAnyOrderElementsOf(
        IntStream.range(0, 21).mapToObj(i -> "{\"n\":" + i + "}").toList());
    assertThat(objects("lake", "clicks/")).allSatisfy(key ->
        assertThat(key).matches("clicks/\\d{4}/\\d{2}/\\d{2}/\\d{2}/clicks-1-\\d{4}(-\\d{2}){5}-[0-9a-f-]{36}\\.gz"));

    DeliveryStreamDescription description = fixture.client.describeDeliveryStream(
        b -> b.deliveryStreamName("clicks")).deliveryStreamDescription();
    assertThat(description.deliveryStreamStatus()).isEqualTo(DeliveryStreamStatus.ACTIVE);
    assertThat(description.deliveryStreamARN()).isEqualTo(
        "arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks");
    assertThat(description.versionId()).isEqualTo("1");
    assertThat(description.destinations()).singleElement().satisfies(d -> {
      assertThat(d.destinationId()).isEqualTo("destinationId-000000000001");
      assertThat(d.extendedS3DestinationDescription().bucketARN()).isEqualTo("arn:aws:s3:::lake");
      assertThat(d.extendedS3DestinationDescription().compressionFormat()).isEqualTo(CompressionFormat.GZIP);
      assertThat(d.extendedS3DestinationDescription().bufferingHints().intervalInSeconds()).isZero();
    });
    assertThat(fixture.client.listTagsForDeliveryStream(b -> b.deliveryStreamName("clicks")).tags())
        .containsExactly(Tag.builder().key("team").value("web").build());
    assertThat(fixture.client.listDeliveryStreams(b -> b.limit(100)).deliveryStreamNames()).contains("clicks");
    assertThat(fixture.store.describeStreamSummary(DeliveryStream.internalStream("clicks")).streamName())
        .as("the records wait in an internal stream").isEqualTo("__firehose-clicks");
    assertThat(fixture.store.listStreams(null, 100).streams()).extracting(s -> s.streamName())
        .as("which ListStreams leaves out").doesNotContain("__firehose-clicks");
  }

  @Test
  void dynamicPartitioningByJqPutsEachCustomerUnderItsPrefixAndNonJsonUnderErrors() throws Exception {
    fixture.client.createDeliveryStream(b -> b.deliveryStreamName("orders")
        .extendedS3DestinationConfiguration(s3("partitioned")
            .prefix("customer=!{partitionKeyFromQuery:customer}/")
            .errorOutputPrefix("errors/!{firehose:error-output-type}/")
            .dynamicPartitioningConfiguration(d -> d.enabled(true))
            .processingConfiguration(p -> p.enabled(true).processors(
                pr -> pr.type(ProcessorType.METADATA_EXTRACTION).parameters(
                    pp -> pp.parameterName(ProcessorParameterName.METADATA_EXTRACTION_QUERY)
                        .parameterValue("{customer:.customer_id}"),
                    pp -> pp.parameterName(ProcessorParameterName.JSON_PARSING_ENGINE).parameterValue("JQ-1.6")),
                pr -> pr.type(ProcessorType.APPEND_DELIMITER_TO_RECORD))).build()));
    fixture.awaitActive("orders");
    fixture.client.putRecordBatch(b -> b.deliveryStreamName("orders").records(
        Record.builder().data(SdkBytes.fromUtf8String("{\"customer_id\":\"a\",\"n\":1}")).build(),
        Record.builder().data(SdkBytes.fromUtf8String("{\"customer_id\":\"b\",\"n\":2}")).build(),
        Record.builder().data(SdkBytes.fromUtf8String("{\"customer_id\":\"a\",\"n\":3}")).build(),
        Record.builder().data(SdkBytes.fromUtf8String("not json")).build()));

    FirehoseFixture.await(() -> objects("partitioned", "").size() >= 3, "three objects in s3://partitioned");
    List<String> a = objects("partitioned", "customer=a/");
    List<String> b = objects("partitioned", "customer=b/");
    List<String> errors = objects("partitioned", "errors/partitioning-failed/");
    assertThat(a).hasSize(1);
    assertThat(b).hasSize(1);
    assertThat(errors).hasSize(1);
    assertThat(read("partitioned", a.get(0))).isEqualTo("{\"customer_id\":\"a\",\"n\":1}\n{\"customer_id\":\"a\",\"n\":3}\n");
    assertThat(read("partitioned", errors.get(0)))
        .contains("\"errorCode\":\"DynamicPartitioning.MetadataExtractionFailed\"")
        .contains("\"rawData\":\"" + java.util.Base64.getEncoder().encodeToString(
            "not json".getBytes(StandardCharsets.UTF_8)) + "\"");
  }

  @Test
  void badRequestsGetTheServiceErrorsAndChangeNothing() throws Exception {
    assertThatThrownBy(() -> fixture.client.describeDeliveryStream(b -> b.deliveryStreamName("missing")))
        .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("Firehose missing");
    assertThatThrownBy(() -> fixture.client.putRecord(b -> b.deliveryStreamName("missing")
        .record(r -> r.data(SdkBytes.fromUtf8String("x"))))).isInstanceOf(ResourceNotFoundException.class);
    List<String> before = fixture.client.listDeliveryStreams(b -> b.limit(100)).deliveryStreamNames();
    assertThatThrownBy(() -> fixture.client.createDeliveryStream(b -> b.deliveryStreamName("badprefix")
        .extendedS3DestinationConfiguration(s3("lake").prefix("x/!{timestamp:yyyy}/").build())))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("errorOutputPrefix is required");
    assertThatThrownBy(() -> fixture.client.createDeliveryStream(b -> b.deliveryStreamName("badbuffer")
        .extendedS3DestinationConfiguration(s3("lake").bufferingHints(h -> h.sizeInMBs(500)).build())))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("bufferSize must be between 1 and 128 MiB");
    assertThatThrownBy(() -> fixture.client.createDeliveryStream(b -> b.deliveryStreamName("badlambda")
        .extendedS3DestinationConfiguration(s3("lake").processingConfiguration(p -> p.enabled(true).processors(
            pr -> pr.type(ProcessorType.LAMBDA).parameters(pp -> pp.parameterName(ProcessorParameterName.LAMBDA_ARN)
                .parameterValue("arn:aws:lambda:us-east-1:000000000000:function:NoSuchFunction")))).build())))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("NoSuchFunction");
    assertThatThrownBy(() -> fixture.client.createDeliveryStream(b -> b.deliveryStreamName("nosource")
        .deliveryStreamType("KinesisStreamAsSource")
        .kinesisStreamSourceConfiguration(k -> k.kinesisStreamARN("arn:aws:kinesis:us-east-1:000000000000:stream/none")
            .roleARN("arn:aws:iam::000000000000:role/r"))
        .extendedS3DestinationConfiguration(s3("lake").build())))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("none");
    assertThat(fixture.client.listDeliveryStreams(b -> b.limit(100)).deliveryStreamNames()).isEqualTo(before);
    assertThat(fixture.dataDir.resolve("firehose/streams/badprefix.json")).doesNotExist();

    fixture.client.createDeliveryStream(b -> b.deliveryStreamName("twice").extendedS3DestinationConfiguration(
        s3("lake").build()));
    assertThatThrownBy(() -> fixture.client.createDeliveryStream(b -> b.deliveryStreamName("twice")
        .extendedS3DestinationConfiguration(s3("other").build()))).isInstanceOf(ResourceInUseException.class);
    fixture.awaitActive("twice");
    assertThatThrownBy(() -> fixture.client.putRecordBatch(b -> b.deliveryStreamName("twice")
        .records(IntStream.range(0, 501).mapToObj(i -> Record.builder().data(SdkBytes.fromUtf8String("x")).build())
            .toList()))).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("at most 500 records");
    fixture.client.deleteDeliveryStream(b -> b.deliveryStreamName("twice"));
    assertThat(fixture.client.listDeliveryStreams(b -> b.limit(100)).deliveryStreamNames()).doesNotContain("twice");
    assertThat(internalStreamDeleted("twice")).as("the internal stream is deleted with it").isTrue();
  }

  private static boolean internalStreamDeleted(String name) {
    try {
      return fixture.store.describeStreamSummary(DeliveryStream.internalStream(name)).streamStatus()
          == dev.freshet.sdk.stream.StreamStatus.DELETING;
    } catch (dev.freshet.sdk.stream.errors.ResourceNotFoundException e) {
      return true;
    }
  }

  /**
   * Encryption is applied, not only reported: a DirectPut stream's undelivered records sit in its
   * internal stream, and with encryption on they are sealed there by the store's encryption at rest.
   * The scan of the stream's files finds the record put after encryption stopped (so it can see
   * plaintext) and not the one put before.
   */
  @Test
  void encryptionSealsTheRecordsTheDeliveryStreamHolds() throws Exception {
    fixture.client.createDeliveryStream(b -> b.deliveryStreamName("sealed")
        .extendedS3DestinationConfiguration(s3("sealed").build())
        .deliveryStreamEncryptionConfigurationInput(e -> e.keyType(KeyType.AWS_OWNED_CMK)));
    fixture.awaitActive("sealed");
    StreamSummary internal = fixture.store.describeStreamSummary("__firehose-sealed");
    assertThat(internal.encryptionType()).isEqualTo(EncryptionType.KMS);
    assertThat(internal.keyId()).isEqualTo("alias/aws/kinesis");
    assertThat(fixture.client.putRecord(b -> b.deliveryStreamName("sealed")
        .record(r -> r.data(SdkBytes.fromUtf8String("{\"secret\":\"sealed-marker-7431\"}")))).encrypted()).isTrue();

    fixture.client.stopDeliveryStreamEncryption(b -> b.deliveryStreamName("sealed"));
    assertThat(fixture.store.describeStreamSummary("__firehose-sealed").encryptionType())
        .isEqualTo(EncryptionType.NONE);
    assertThat(fixture.client.putRecord(b -> b.deliveryStreamName("sealed")
        .record(r -> r.data(SdkBytes.fromUtf8String("{\"open\":\"plain-marker-7431\"}")))).encrypted()).isFalse();

    Path files = fixture.dataDir.resolve("streams").resolve("__firehose-sealed");
    assertThat(filesContain(files, "plain-marker-7431")).as("the scan sees plaintext records").isTrue();
    assertThat(filesContain(files, "sealed-marker-7431")).as("the record put while encrypted").isFalse();

    // A customer key the local key store does not hold: refused by name, nothing changed.
    assertThatThrownBy(() -> fixture.client.startDeliveryStreamEncryption(b -> b.deliveryStreamName("sealed")
        .deliveryStreamEncryptionConfigurationInput(e -> e.keyType(KeyType.CUSTOMER_MANAGED_CMK)
            .keyARN("arn:aws:kms:us-east-1:000000000000:key/not-here"))))
        .isInstanceOf(InvalidKmsResourceException.class).hasMessageContaining("key/not-here");
    assertThat(fixture.client.describeDeliveryStream(b -> b.deliveryStreamName("sealed")).deliveryStreamDescription()
        .deliveryStreamEncryptionConfiguration().status()).isEqualTo(DeliveryStreamEncryptionStatus.DISABLED);
    assertThat(fixture.store.describeStreamSummary("__firehose-sealed").encryptionType())
        .isEqualTo(EncryptionType.NONE);
  }

  private static boolean filesContain(Path folder, String text) throws IOException {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(file);
        for (int i = 0; i + needle.length <= bytes.length; i++) {
          if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  @Test
  void updateDestinationChecksTheVersionAndEncryptionAndTagsChange() throws Exception {
    fixture.client.createDeliveryStream(b -> b.deliveryStreamName("updated")
        .extendedS3DestinationConfiguration(s3("lake").prefix("v1/").build()));
    fixture.awaitActive("updated");
    assertThatThrownBy(() -> fixture.client.updateDestination(b -> b.deliveryStreamName("updated")
        .currentDeliveryStreamVersionId("7").destinationId("destinationId-000000000001")
        .extendedS3DestinationUpdate(u -> u.prefix("v2/")))).isInstanceOf(ConcurrentModificationException.class);
    assertThatThrownBy(() -> fixture.client.updateDestination(b -> b.deliveryStreamName("updated")
        .currentDeliveryStreamVersionId("1").destinationId("destinationId-000000000009")
        .extendedS3DestinationUpdate(u -> u.prefix("v2/")))).isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> fixture.client.updateDestination(b -> b.deliveryStreamName("updated")
        .currentDeliveryStreamVersionId("1").destinationId("destinationId-000000000001")
        .extendedS3DestinationUpdate(u -> u.compressionFormat("LZMA")))).isInstanceOf(InvalidArgumentException.class);
    fixture.client.updateDestination(b -> b.deliveryStreamName("updated").currentDeliveryStreamVersionId("1")
        .destinationId("destinationId-000000000001").extendedS3DestinationUpdate(u -> u.prefix("v2/")
            .compressionFormat(CompressionFormat.GZIP)));
    DeliveryStreamDescription description = fixture.client.describeDeliveryStream(
        b -> b.deliveryStreamName("updated")).deliveryStreamDescription();
    assertThat(description.versionId()).isEqualTo("2");
    assertThat(description.destinations().get(0).extendedS3DestinationDescription().prefix()).isEqualTo("v2/");
    assertThat(description.destinations().get(0).extendedS3DestinationDescription().bufferingHints().sizeInMBs())
        .as("members not in the update are kept").isEqualTo(1);

    fixture.client.startDeliveryStreamEncryption(b -> b.deliveryStreamName("updated")
        .deliveryStreamEncryptionConfigurationInput(e -> e.keyType(KeyType.AWS_OWNED_CMK)));
    assertThat(fixture.client.describeDeliveryStream(b -> b.deliveryStreamName("updated")).deliveryStreamDescription()
        .deliveryStreamEncryptionConfiguration().status()).isEqualTo(DeliveryStreamEncryptionStatus.ENABLED);
    assertThat(fixture.client.putRecord(b -> b.deliveryStreamName("updated")
        .record(r -> r.data(SdkBytes.fromUtf8String("{}")))).encrypted()).isTrue();
    fixture.client.stopDeliveryStreamEncryption(b -> b.deliveryStreamName("updated"));
    assertThat(fixture.client.describeDeliveryStream(b -> b.deliveryStreamName("updated")).deliveryStreamDescription()
        .deliveryStreamEncryptionConfiguration().status()).isEqualTo(DeliveryStreamEncryptionStatus.DISABLED);

    fixture.client.tagDeliveryStream(b -> b.deliveryStreamName("updated").tags(
        Tag.builder().key("a").value("1").build(), Tag.builder().key("b").value("2").build()));
    fixture.client.untagDeliveryStream(b -> b.deliveryStreamName("updated").tagKeys("a"));
    assertThat(fixture.client.listTagsForDeliveryStream(b -> b.deliveryStreamName("updated")).tags())
        .containsExactly(Tag.builder().key("b").value("2").build());
    FirehoseFixture.await(() -> !objects("lake", "v2/").isEmpty(), "the record under the new prefix");
    assertThat(objects("lake", "v2/")).allSatisfy(key -> assertThat(key).endsWith(".gz").contains("updated-2-"));
  }

  @Test
  void kinesisStreamAsSourceDeliversWhatIsPutIntoTheStream() throws Exception {
    fixture.store.createStream(dev.freshet.sdk.stream.CreateStreamRequest.provisioned("events", 2));
    FirehoseFixture.await(() -> fixture.store.describeStreamSummary("events").streamStatus().toString()
        .equals("ACTIVE"), "stream events ACTIVE");
    fixture.client.createDeliveryStream(b -> b.deliveryStreamName("from-events")
        .deliveryStreamType("KinesisStreamAsSource")
        .kinesisStreamSourceConfiguration(k -> k.kinesisStreamARN(
            "arn:aws:kinesis:us-east-1:000000000000:stream/events").roleARN("arn:aws:iam::000000000000:role/r"))
        .extendedS3DestinationConfiguration(s3("from-events").build()));
    fixture.awaitActive("from-events");
    for (int i = 0; i < 10; i++) {
      fixture.store.putRecord("events", dev.freshet.sdk.stream.PutRecordsEntry.of("k" + i, "e" + i + ";"), null);
    }
    assertThatThrownBy(() -> fixture.client.putRecord(b -> b.deliveryStreamName("from-events")
        .record(r -> r.data(SdkBytes.fromUtf8String("x"))))).isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("KinesisStreamAsSource");
    StringBuilder all = new StringBuilder();
    FirehoseFixture.await(() -> {
      all.setLength(0);
      objects("from-events", "").forEach(key -> all.append(read("from-events", key)));
      return all.toString().split(";").length >= 10;
    }, "ten records from stream events");
    assertThat(Arrays.asList(all.toString().split(";"))).containsExactlyInAnyOrderElementsOf(
        IntStream.range(0, 10).mapToObj(i -> "e" + i).toList());
    assertThat(fixture.client.describeDeliveryStream(b -> b.deliveryStreamName("from-events"))
        .deliveryStreamDescription().source().kinesisStreamSourceDescription().kinesisStreamARN())
        .isEqualTo("arn:aws:kinesis:us-east-1:000000000000:stream/events");
  }
}
