package dev.freshet.transforms.firehose;

import static dev.freshet.transforms.firehose.FirehoseDeliveryTest.directPipeline;
import static dev.freshet.transforms.firehose.FirehoseDeliveryTest.jsonRecords;
import static dev.freshet.transforms.firehose.FirehoseDeliveryTest.run;
import static dev.freshet.transforms.firehose.FirehoseDeliveryTest.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The backup destination: all source records, or failed records only (S3BackupMode). */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FirehoseBackupTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private Path main() {
    return dir.resolve("main");
  }

  private Path backup() {
    return dir.resolve("backup");
  }

  private static String rawData(String errorLine) {
    try {
      return new String(Base64.getDecoder().decode(JSON.readTree(errorLine).get("rawData").asText()),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void allDataKeepsEverySourceRecordAsItArrivedAndTheErrorOutputInTheBackup() {
    // ByNumber: n%10 == 7 dropped, n%10 == 9 ProcessingFailed, the rest upper-cased.
    List<FirehoseRecord> records = jsonRecords(200, 1);
    Pipeline pipeline = directPipeline();
    FirehoseDeliveryResult result = pipeline.apply(Create.of(records)).apply(
        FirehoseDelivery.to(FirehoseDestination.localFiles(main())).withDeliveryStreamName("clicks")
            .withRecordTransformer(new FirehoseDeliveryTest.ByNumber())
            .withAppendDelimiter(true)
            .withCompression(CompressionFormat.GZIP)
            .withBufferSize(1)
            .withBackup(FirehoseDestination.localFiles(backup()), BackupMode.ALL_DATA)
            .withBackupPrefix("source/"));
    long inputs = records.size();
    PAssert.that(result.getBackupObjects()).satisfies(objects -> {
      long total = 0;
      for (DeliveredObject object : objects) {
        assertThat(object.key()).startsWith("source/2024/03/07/09/clicks-1-").endsWith(".gz");
        total += object.recordCount();
      }
      assertThat(total).isEqualTo(inputs);
      return null;
    });
    run(pipeline);

    TreeMap<String, byte[]> mainObjects = Objects.read(main());
    TreeMap<String, byte[]> backupObjects = Objects.read(backup());
    TreeMap<String, byte[]> sourceObjects = new TreeMap<>(backupObjects.subMap("source/", "source0"));
    TreeMap<String, byte[]> errorObjects = new TreeMap<>(backupObjects.tailMap("source0"));
    errorObjects.putAll(backupObjects.headMap("source/"));

    // Every source record, as it arrived (not upper-cased), dropped and failed ones included.
    assertThat(Objects.lines(sourceObjects)).containsExactlyInAnyOrderElementsOf(texts(records));
    // The main destination holds the transformed data and no error objects.
    List<String> expected = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      String text = texts(records).get(i);
      if (i % 10 == 9) {
        failed.add(text);
      } else if (i % 10 != 7) {
        expected.add(text.toUpperCase(Locale.ROOT));
      }
    }
    assertThat(mainObjects.keySet()).allMatch(key -> key.startsWith("2024/03/07/09/clicks-1-"));
    assertThat(Objects.lines(mainObjects)).containsExactlyInAnyOrderElementsOf(expected);
    // The error output went to the backup, under the default error prefix.
    assertThat(errorObjects.keySet()).isNotEmpty()
        .allMatch(key -> key.startsWith("processing-failed/2024/03/07/09/clicks-1-"));
    assertThat(Objects.lines(errorObjects).stream().map(FirehoseBackupTest::rawData).toList())
        .containsExactlyInAnyOrderElementsOf(failed);
  }

  @Test
  void failedDataOnlyPutsOnlyTheErrorOutputInTheBackup() {
    List<FirehoseRecord> records = new ArrayList<>(jsonRecords(30, 1));
    records.add(FirehoseRecord.ofText("{\"n\":\"not a number\"}", FirehoseDeliveryTest.T0));
    records.add(FirehoseRecord.ofText("not json", FirehoseDeliveryTest.T0));
    org.apache.avro.Schema schema = org.apache.avro.SchemaBuilder.record("R").fields()
        .requiredInt("n").optionalString("customer").endRecord();
    Pipeline pipeline = directPipeline();
    FirehoseDeliveryResult result = pipeline.apply(Create.of(records)).apply(
        FirehoseDelivery.to(FirehoseDestination.localFiles(main())).withDeliveryStreamName("clicks")
            .withDataFormatConversion(DataFormatConversion.toParquet(schema))
            .withBackup(FirehoseDestination.localFiles(backup()), BackupMode.FAILED_DATA_ONLY));
    PAssert.that(result.getBackupObjects()).empty();
    run(pipeline);

    TreeMap<String, byte[]> mainObjects = Objects.read(main());
    assertThat(mainObjects.keySet()).isNotEmpty().allMatch(key -> key.endsWith(".parquet"));
    TreeMap<String, byte[]> backupObjects = Objects.read(backup());
    assertThat(backupObjects.keySet()).isNotEmpty()
        .allMatch(key -> key.startsWith("format-conversion-failed/2024/03/07/09/clicks-1-"));
    assertThat(Objects.lines(backupObjects).stream().map(FirehoseBackupTest::rawData).toList())
        .containsExactlyInAnyOrder("{\"n\":\"not a number\"}", "not json");
  }

  @Test
  void backupSettingsAreChecked() {
    FirehoseDelivery.Write write = FirehoseDelivery.to(FirehoseDestination.localFiles(main()))
        .withDeliveryStreamName("clicks");
    assertThatThrownBy(() -> directPipeline().apply(Create.of(jsonRecords(1, 1)))
        .apply(write.withBackupPrefix("source/")))
        .hasMessageContaining("backupPrefix needs withBackup(destination, BackupMode.ALL_DATA)");
    assertThatThrownBy(() -> directPipeline().apply(Create.of(jsonRecords(1, 1)))
        .apply(write.withBackup(FirehoseDestination.localFiles(backup()), BackupMode.ALL_DATA)
            .withBackupPrefix("src/!{partitionKeyFromQuery:customer}/")))
        .hasMessageContaining("backupPrefix");
  }
}
