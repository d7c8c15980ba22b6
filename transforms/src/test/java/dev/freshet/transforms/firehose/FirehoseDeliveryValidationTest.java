package dev.freshet.transforms.firehose;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings are checked when the transform is built, with errors that name the setting. */
class FirehoseDeliveryValidationTest {
  @TempDir Path dir;

  private FirehoseDelivery.Write delivery() {
    return FirehoseDelivery.to(FirehoseDestination.localFiles(dir)).withDeliveryStreamName("s");
  }

  /** Applies {@code write} to a one-record pipeline, which is when prefixes are checked. */
  private static void apply(FirehoseDelivery.Write write) {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply(Create.of(FirehoseRecord.ofText("{}", Instant.EPOCH))).apply(write);
  }

  @Test
  void bufferHintsMustBeWithinTheServicesRanges() {
    assertThatThrownBy(() -> delivery().withBufferSize(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bufferSize must be between 1 and 128 MiB, but was: 0 MiB");
    assertThatThrownBy(() -> delivery().withBufferSize(129)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bufferSize must be between 1 and 128 MiB, but was: 129 MiB");
    assertThatThrownBy(() -> delivery().withBufferInterval(Duration.standardSeconds(1200)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bufferInterval must be between 0 and 900 s, but was: 1200.0 s");
    assertThatThrownBy(() -> delivery().withBufferInterval(Duration.millis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bufferInterval");
    assertThatCode(() -> delivery().withBufferingHints(128, Duration.ZERO)).doesNotThrowAnyException();
    assertThatCode(() -> delivery().withBufferingHints(1, Duration.standardSeconds(900))).doesNotThrowAnyException();
  }

  @Test
  void otherSingleSettingsNameThemselves() {
    assertThatThrownBy(() -> delivery().withDeliveryStreamName("bad name"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deliveryStreamName");
    assertThatThrownBy(() -> delivery().withMaxActivePartitions(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxActivePartitions");
    assertThatThrownBy(() -> delivery().withTransformationRetries(301, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transformationRetries");
    assertThatThrownBy(() -> delivery().withPartitionKeyFromQuery("customer", ".customer_id |"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partition key query for customer is not a valid jq 1.6 expression");
  }

  @Test
  void theStreamNameIsRequired() {
    assertThatThrownBy(() -> apply(FirehoseDelivery.to(FirehoseDestination.localFiles(dir))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deliveryStreamName is required");
  }

  @Test
  void prefixesAreCheckedAgainstTheOtherSettingsWhenApplied() {
    assertThatThrownBy(() -> apply(delivery().withPrefix("!{timestamp:yyyy}/")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("errorOutputPrefix is required when prefix has expressions");
    assertThatThrownBy(() -> apply(delivery().withPrefix("c=!{partitionKeyFromQuery:customer}/")
            .withErrorOutputPrefix("errors/!{firehose:error-output-type}/")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("!{partitionKeyFromQuery:customer}").hasMessageContaining("no query defines it");
    assertThatThrownBy(() -> apply(delivery().withPartitionKeyFromQuery("customer", ".c")
            .withPrefix("!{timestamp:yyyy}/").withErrorOutputPrefix("e/!{firehose:error-output-type}/")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[customer] are not used in prefix");
    assertThatThrownBy(() -> apply(delivery().withPrefix("a/!{firehose:error-output-type}/")
            .withErrorOutputPrefix("e/")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("can only be used in the error output prefix");
    assertThatThrownBy(() -> apply(delivery().withErrorOutputPrefix("e/!{nope:x}/")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("errorOutputPrefix")
        .hasMessageContaining("unknown namespace nope");
    assertThatCode(() -> apply(delivery().withPartitionKeyFromQuery("customer", ".c")
            .withPrefix("c=!{partitionKeyFromQuery:customer}/").withErrorOutputPrefix("e/!{firehose:error-output-type}/")))
        .doesNotThrowAnyException();
  }

  @Test
  void batchDestinationsCheckTheirOwnLimits() {
    HttpEndpointDestination.Builder endpoint = HttpEndpointDestination.builder()
        .setUrl(java.net.URI.create("http://127.0.0.1:1/")).setBackup(FirehoseDestination.localFiles(dir));
    assertThatThrownBy(() -> apply(FirehoseDelivery.to(endpoint.build()).withDeliveryStreamName("s").withBufferSize(65)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bufferSize must be between 1 and 64 MiB for HTTP endpoint http://127.0.0.1:1/, but was: 65 MiB");
    assertThatCode(() -> apply(FirehoseDelivery.to(endpoint.build()).withDeliveryStreamName("s").withBufferSize(64)))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> endpoint.setRetryDuration(Duration.standardSeconds(7201)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retryDuration must be between 0 and 7200 s, but was: 7201.0 s");
    assertThatThrownBy(() -> endpoint.setRetryDuration(Duration.ZERO).setUrl(java.net.URI.create("ftp://h/")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("url must be http or https");
    assertThatThrownBy(() -> PostgresDestination.builder().setJdbcUrl("jdbc:postgresql://h/db").setTable("t; drop table x")
            .setStaging(FirehoseDestination.localFiles(dir)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("table must be a name or schema.name");
    assertThatThrownBy(() -> CopyOptions.jsonAuto().withDelimiter('|'))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DELIMITER applies to text or CSV");
  }
}
