package dev.freshet.kinesis.firehose;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.firehose.model.Record;

/**
 * Records accepted before a restart and not yet delivered (the buffer interval had not elapsed)
 * are delivered after the store and server are reopened on the same data folder.
 */
class FirehoseRestartIT {
  @TempDir Path dataDir;

  private static List<Record> records(int from, int to) {
    String padding = "x".repeat(1000);
    return IntStream.range(from, to).mapToObj(i -> Record.builder()
        .data(SdkBytes.fromUtf8String("{\"n\":" + i + ",\"p\":\"" + padding + "\"}")).build()).toList();
  }

  private List<String> deliveredLines() {
    Path bucket = dataDir.resolve("s3").resolve("restart");
    if (!Files.isDirectory(bucket)) {
      return List.of();
    }
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.walk(bucket)) {
      for (Path file : files.filter(f -> Files.isRegularFile(f) && !f.getFileName().toString().startsWith("."))
          .toList()) {
        lines.addAll(Arrays.asList(Files.readString(file).split("\n")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }

  @Test
  void recordsBufferedAtTheRestartAreDeliveredAfterIt() throws Exception {
    try (FirehoseFixture first = FirehoseFixture.start(dataDir, false)) {
      first.client.createDeliveryStream(b -> b.deliveryStreamName("restart")
          .extendedS3DestinationConfiguration(c -> c.bucketARN("arn:aws:s3:::restart")
              .roleARN("arn:aws:iam::000000000000:role/firehose")
              .bufferingHints(h -> h.sizeInMBs(1).intervalInSeconds(900))
              .processingConfiguration(p -> p.enabled(true).processors(pr -> pr.type("AppendDelimiterToRecord")))));
      first.awaitActive("restart");
      for (int from = 0; from < 500; from += 250) {
        int start = from;
        assertThat(first.client.putRecordBatch(b -> b.deliveryStreamName("restart").records(records(start, start + 250)))
            .failedPutCount()).isZero();
      }
    }
    assertThat(deliveredLines()).as("500 KB is under the 1 MiB hint, and 900 s have not passed").isEmpty();

    try (FirehoseFixture second = FirehoseFixture.start(dataDir, false)) {
      second.awaitActive("restart");
      // Another 600 KB takes the buffer, which holds the records from before the restart, past 1 MiB.
      for (int from = 500; from < 1100; from += 300) {
        int start = from;
        assertThat(second.client.putRecordBatch(b -> b.deliveryStreamName("restart")
            .records(records(start, start + 300))).failedPutCount()).isZero();
      }
      FirehoseFixture.await(() -> deliveredLines().size() >= 1000, "the first 1 MiB delivered");
      List<Integer> numbers = deliveredLines().stream()
          .map(line -> Integer.parseInt(line.substring(5, line.indexOf(',')))).toList();
      assertThat(numbers).as("every record from before the restart").containsAll(
          IntStream.range(0, 500).boxed().toList());
      FirehoseFixture.await(() -> Files.exists(dataDir.resolve("firehose/checkpoints/restart.json")),
          "the checkpoint written after the delivery");
    }
  }
}
