package dev.freshet.transforms.firehose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Beam-free delivery steps: partitioning, naming, compression, splitting and error output. */
class DeliveryEngineTest {
  private static final Instant ARRIVAL = Instant.parse("2024-05-01T12:34:56Z");

  @TempDir Path dir;

  private static String gunzip(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void partitionsByQueryCompressesAndPutsFailuresUnderTheErrorPrefix() throws Exception {
    FirehoseDelivery.Write spec = FirehoseDelivery.to(FirehoseDestination.localFiles(dir))
        .withDeliveryStreamName("orders").withCompression(CompressionFormat.GZIP).withAppendDelimiter(true)
        .withPartitionKeyFromQuery("customer", ".customer")
        .withPrefix("customer=!{partitionKeyFromQuery:customer}/")
        .withErrorOutputPrefix("errors/!{firehose:error-output-type}/");
    DeliveryEngine.Outcome outcome;
    try (DeliveryEngine engine = DeliveryEngine.open(spec)) {
      outcome = engine.deliver(List.of(
          FirehoseRecord.ofText("{\"customer\":\"a\",\"n\":1}", ARRIVAL),
          FirehoseRecord.ofText("{\"customer\":\"b\",\"n\":2}", ARRIVAL),
          FirehoseRecord.ofText("{\"customer\":\"a\",\"n\":3}", ARRIVAL.plus(1000)),
          FirehoseRecord.ofText("not json", ARRIVAL)));
    }
    assertThat(outcome.errors()).singleElement().satisfies(e ->
        assertThat(e.errorCode()).isEqualTo("DynamicPartitioning.MetadataExtractionFailed"));
    assertThat(outcome.objects()).hasSize(3);
    DeliveredObject a = outcome.objects().stream().filter(o -> o.key().startsWith("customer=a/")).findFirst()
        .orElseThrow();
    assertThat(a.key()).matches("customer=a/orders-1-2024-05-01-12-34-56-[0-9a-f-]{36}\\.gz");
    assertThat(a.recordCount()).isEqualTo(2);
    assertThat(gunzip(dir.resolve(a.key()))).isEqualTo("{\"customer\":\"a\",\"n\":1}\n{\"customer\":\"a\",\"n\":3}\n");
    DeliveredObject error = outcome.objects().stream().filter(DeliveredObject::errorOutput).findFirst().orElseThrow();
    assertThat(error.key()).startsWith("errors/partitioning-failed/");
    assertThat(gunzip(dir.resolve(error.key()))).contains("\"rawData\":\"bm90IGpzb24=\"");
  }

  @Test
  void splitsAPartitionAtTheSizeHint() throws Exception {
    String big = "x".repeat(400_000);
    FirehoseDelivery.Write spec = FirehoseDelivery.to(FirehoseDestination.localFiles(dir))
        .withDeliveryStreamName("big").withBufferSize(1);
    try (DeliveryEngine engine = DeliveryEngine.open(spec)) {
      assertThat(engine.bufferSizeBytes()).isEqualTo(1 << 20);
      DeliveryEngine.Outcome outcome = engine.deliver(IntStream.range(0, 3)
          .mapToObj(i -> FirehoseRecord.ofText(big, ARRIVAL)).toList());
      assertThat(outcome.objects()).extracting(DeliveredObject::recordCount).containsExactly(2L, 1L);
    }
  }

  @Test
  void openChecksTheSpecAsTheTransformDoes() {
    FirehoseDelivery.Write spec = FirehoseDelivery.to(FirehoseDestination.localFiles(dir))
        .withDeliveryStreamName("bad").withPrefix("!{timestamp:yyyy}/");
    assertThatThrownBy(() -> DeliveryEngine.open(spec)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("errorOutputPrefix is required");
    assertThat(dir).isEmptyDirectory();
  }
}
