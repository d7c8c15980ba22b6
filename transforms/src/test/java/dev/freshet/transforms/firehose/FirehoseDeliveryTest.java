package dev.freshet.transforms.firehose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.sdk.io.StoreFixture;
import dev.freshet.sdk.io.StreamIO;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Delivery pipelines on the Direct runner, read back from the folder they deliver to. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FirehoseDeliveryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** 2024-03-07T09:41:05Z: the default prefix is 2024/03/07/09/. */
  static final Instant T0 = Instant.parse("2024-03-07T09:41:05Z");

  @TempDir Path dir;
  @RegisterExtension final StoreFixture store = new StoreFixture();

  static Pipeline directPipeline() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs("--targetParallelism=2").create());
  }

  static void run(Pipeline pipeline) {
    assertThat(pipeline.run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);
  }

  /** {@code count} JSON records {"n":i,"customer":"c<i % customers>"} arriving one second apart from T0. */
  static List<FirehoseRecord> jsonRecords(int count, int customers) {
    List<FirehoseRecord> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(FirehoseRecord.ofText("{\"n\":" + i + ",\"customer\":\"c" + (i % customers) + "\"}",
          T0.plus(Duration.standardSeconds(i))));
    }
    return out;
  }

  static List<String> texts(List<FirehoseRecord> records) {
    return records.stream().map(r -> new String(r.data(), StandardCharsets.UTF_8)).toList();
  }

  private FirehoseDelivery.Write toFolder() {
    return FirehoseDelivery.to(FirehoseDestination.localFiles(dir.resolve("out"))).withDeliveryStreamName("clicks");
  }

  @Test
  void deliversEveryRecordUnderTheDefaultPrefixWithTheServicesObjectNames() {
    List<FirehoseRecord> records = jsonRecords(500, 1);
    Pipeline pipeline = directPipeline();
    FirehoseDeliveryResult result = pipeline.apply(Create.of(records)).apply(toFolder().withAppendDelimiter(true));
    PAssert.that(result.getErrors()).empty();
    run(pipeline);

    TreeMap<String, byte[]> objects = Objects.read(dir.resolve("out"));
    assertThat(objects).isNotEmpty();
    assertThat(objects.keySet()).allMatch(key -> key.matches(
        "2024/03/07/(09|10)/clicks-1-2024-03-07-(09|10)-\\d\\d-\\d\\d-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "names");
    assertThat(Objects.lines(objects)).containsExactlyInAnyOrderElementsOf(texts(records));
    // The oldest record of the input arrived at 09:41:05, and every object is named by its oldest.
    assertThat(objects.keySet()).anyMatch(key -> key.startsWith("2024/03/07/09/clicks-1-2024-03-07-09-41-05-"));
  }

  @Test
  void withoutTheDelimiterRecordsAreConcatenatedAsTheyAre() {
    List<FirehoseRecord> records = List.of(FirehoseRecord.ofText("ab", T0), FirehoseRecord.ofText("cd", T0));
    Pipeline pipeline = directPipeline();
    pipeline.apply(Create.of(records)).apply(toFolder().withPrefix("raw/"));
    run(pipeline);
    TreeMap<String, byte[]> objects = Objects.read(dir.resolve("out"));
    String all = objects.values().stream().map(b -> new String(b, StandardCharsets.UTF_8)).collect(Collectors.joining());
    assertThat(all).hasSize(4).contains("ab").contains("cd");
    assertThat(objects.keySet()).allMatch(key -> key.startsWith("raw/2024/03/07/09/clicks-1-"));
  }

  @Test
  void theSizeHintBoundsEveryObject() {
    // 300 records of 10 KiB, 1 MiB hint: objects of at most 1 MiB, each but the last per buffer full.
    List<FirehoseRecord> records = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String head = String.format("%05d:", i);
      records.add(FirehoseRecord.ofText(head + "x".repeat(10 * 1024 - head.length() - 1), T0));
    }
    Pipeline pipeline = directPipeline();
    FirehoseDeliveryResult result = pipeline.apply(Create.of(records))
        .apply(toFolder().withBufferSize(1).withAppendDelimiter(true).withCompression(CompressionFormat.GZIP));
    PAssert.that(result.getDeliveredObjects()).satisfies(objects -> {
      long total = 0;
      int count = 0;
      for (DeliveredObject object : objects) {
        assertThat(object.uncompressedBytes()).isLessThanOrEqualTo(1L << 20);
        assertThat(object.key()).endsWith(".gz");
        total += object.recordCount();
        count++;
      }
      assertThat(total).isEqualTo(300);
      assertThat(count).isGreaterThanOrEqualTo(3);
      return null;
    });
    run(pipeline);
    TreeMap<String, byte[]> objects = Objects.read(dir.resolve("out"));
    assertThat(objects.values()).allMatch(body -> body.length <= 1 << 20);
    // 102 records of 10 KiB fill 1 MiB: 300 records need at least 3 objects.
    assertThat(objects).hasSizeGreaterThanOrEqualTo(3);
    assertThat(objects.values().stream().mapToInt(b -> b.length).sum()).isEqualTo(300 * 10 * 1024);
    assertThat(Objects.lines(objects)).containsExactlyInAnyOrderElementsOf(
        records.stream().map(r -> new String(r.data(), StandardCharsets.UTF_8).stripTrailing()).toList());
  }

  @ParameterizedTest
  @EnumSource(CompressionFormat.class)
  void compressesWithTheServicesFormatsAndExtensions(CompressionFormat format) {
    List<FirehoseRecord> records = jsonRecords(200, 1);
    Pipeline pipeline = directPipeline();
    pipeline.apply(Create.of(records)).apply(toFolder().withCompression(format).withAppendDelimiter(true));
    run(pipeline);
    TreeMap<String, byte[]> objects = Objects.read(dir.resolve("out"));
    assertThat(objects.keySet()).allMatch(key -> key.matches(".*-[0-9a-f-]{36}" + java.util.regex.Pattern.quote(format.extension())));
    assertThat(Objects.lines(objects)).containsExactlyInAnyOrderElementsOf(texts(records));
  }

  @Test
  void theIntervalHintPutsABufferOnceItsTimeHasPassed() {
    // Processing time drives the interval: 3 records, 61 s later 2 more, then the end of input.
    TestStream<FirehoseRecord> input = TestStream.create(FirehoseRecordCoder.of())
        .addElements(FirehoseRecord.ofText("a1", T0), FirehoseRecord.ofText("a2", T0), FirehoseRecord.ofText("a3", T0))
        .advanceProcessingTime(Duration.standardSeconds(61))
        .addElements(FirehoseRecord.ofText("b1", T0.plus(Duration.standardHours(1))),
            FirehoseRecord.ofText("b2", T0.plus(Duration.standardHours(1))))
        .advanceWatermarkToInfinity();
    Pipeline pipeline = directPipeline();
    pipeline.apply(input).apply(toFolder().withBufferInterval(Duration.standardSeconds(60)).withAppendDelimiter(true));
    run(pipeline);
    TreeMap<String, byte[]> objects = Objects.read(dir.resolve("out"));
    assertThat(objects).hasSize(2);
    assertThat(objects.firstKey()).startsWith("2024/03/07/09/");
    assertThat(objects.lastKey()).startsWith("2024/03/07/10/");
    assertThat(new String(objects.firstEntry().getValue(), StandardCharsets.UTF_8).split("\n"))
        .containsExactlyInAnyOrder("a1", "a2", "a3");
    assertThat(new String(objects.lastEntry().getValue(), StandardCharsets.UTF_8).split("\n"))
        .containsExactlyInAnyOrder("b1", "b2");
  }

  @Test
  void aZeroIntervalPutsWhatHasArrivedAtOnce() {
    // Interval 0: the buffer is put as soon as processing time moves, not at the end of input.
    TestStream<FirehoseRecord> input = TestStream.create(FirehoseRecordCoder.of())
        .addElements(FirehoseRecord.ofText("a1", T0), FirehoseRecord.ofText("a2", T0))
        .advanceProcessingTime(Duration.millis(1))
        .addElements(FirehoseRecord.ofText("b1", T0))
        .advanceProcessingTime(Duration.millis(1))
        .addElements(FirehoseRecord.ofText("c1", T0))
        .advanceProcessingTime(Duration.millis(1))
        .advanceWatermarkToInfinity();
    Pipeline pipeline = directPipeline();
    pipeline.apply(input).apply(toFolder().withBufferInterval(Duration.ZERO).withAppendDelimiter(true));
    run(pipeline);
    TreeMap<String, byte[]> objects = Objects.read(dir.resolve("out"));
    assertThat(objects.values()).extracting(body -> List.of(new String(body, StandardCharsets.UTF_8).split("\n")))
        .containsExactlyInAnyOrder(List.of("a1", "a2"), List.of("b1"), List.of("c1"));
  }

  @Test
  void aRecordWithoutTheLambdaPartitionKeyThePrefixNeedsIsAnError() {
    List<FirehoseRecord> records = jsonRecords(10, 1);
    RecordTransformer keyForEvenOnly = batch -> batch.stream().map(r -> {
      int n = json(r.dataAsString()).get("n").asInt();
      return TransformationResult.ok(r.recordId(), r.data(), n % 2 == 0 ? Map.of("k", "even") : Map.of());
    }).toList();
    Pipeline pipeline = directPipeline();
    FirehoseDeliveryResult result = pipeline.apply(Create.of(records))
        .apply(toFolder().withRecordTransformer(keyForEvenOnly).withAppendDelimiter(true)
            .withPrefix("k=!{partitionKeyFromLambda:k}/").withErrorOutputPrefix("e/!{firehose:error-output-type}/"));
    PAssert.that(result.getErrors()).satisfies(errors -> {
      int n = 0;
      for (FirehoseErrorRecord error : errors) {
        assertThat(error.errorCode()).isEqualTo("DynamicPartitioning.MissingPartitionKeyFromLambda");
        assertThat(error.errorOutputType()).isEqualTo("partitioning-failed");
        n++;
      }
      assertThat(n).isEqualTo(5);
      return null;
    });
    run(pipeline);
    TreeMap<String, byte[]> objects = Objects.read(dir.resolve("out"));
    assertThat(objects.keySet()).allMatch(key -> key.startsWith("k=even/clicks-1-") || key.startsWith("e/partitioning-failed/"));
    assertThat(Objects.lines(new TreeMap<>(objects.tailMap("k=")))).hasSize(5);
  }

  @Test
  void partitionsByJqQueriesAndSendsRecordsThatAreNotJsonToTheErrorOutput() {
    List<FirehoseRecord> records = new ArrayList<>(jsonRecords(90, 3));
    records.add(FirehoseRecord.ofText("not json", T0));
    records.add(FirehoseRecord.ofText("{\"n\":-1}", T0));
    Pipeline pipeline = directPipeline();
    FirehoseDeliveryResult result = pipeline.apply(Create.of(records))
        .apply(toFolder().withPartitionKeyFromQuery("customer", ".customer")
            .withPrefix("customer=!{partitionKeyFromQuery:customer}/year=!{timestamp:yyyy}/")
            .withErrorOutputPrefix("errors/!{firehose:error-output-type}/")
            .withAppendDelimiter(true));
    PAssert.that(result.getErrors()).satisfies(errors -> {
      List<String> codes = new ArrayList<>();
      errors.forEach(e -> codes.add(e.errorCode() + ":" + new String(e.rawDataBytes(), StandardCharsets.UTF_8)));
      assertThat(codes).containsExactlyInAnyOrder(
          "DynamicPartitioning.MetadataExtractionFailed:not json",
          "DynamicPartitioning.MetadataExtractionFailed:{\"n\":-1}");
      return null;
    });
    run(pipeline);
    TreeMap<String, byte[]> objects = Objects.read(dir.resolve("out"));
    Map<String, List<String>> byFolder = new TreeMap<>();
    objects.forEach((key, body) -> byFolder.computeIfAbsent(key.substring(0, key.lastIndexOf('/') + 1),
        k -> new ArrayList<>()).addAll(Objects.lines(new TreeMap<>(Map.of(key, body)))));
    assertThat(byFolder.keySet()).containsExactlyInAnyOrder("customer=c0/year=2024/", "customer=c1/year=2024/",
        "customer=c2/year=2024/", "errors/partitioning-failed/");
    for (int c = 0; c < 3; c++) {
      assertThat(byFolder.get("customer=c" + c + "/year=2024/")).hasSize(30)
          .allMatch(line -> line.contains("\"customer\":\"c"));
    }
    List<JsonNode> errorLines = byFolder.get("errors/partitioning-failed/").stream().map(FirehoseDeliveryTest::json).toList();
    assertThat(errorLines).hasSize(2).allMatch(e -> e.get("errorCode").asText().equals("DynamicPartitioning.MetadataExtractionFailed")
        && e.get("arrivalTimestamp").asLong() == T0.getMillis() && e.has("attemptEndingTimestamp"));
    assertThat(errorLines).extracting(e -> new String(Base64.getDecoder().decode(e.get("rawData").asText()), StandardCharsets.UTF_8))
        .containsExactlyInAnyOrder("not json", "{\"n\":-1}");
  }

  @Test
  void overflowBeyondTheActivePartitionCapGoesToTheErrorOutput() {
    List<FirehoseRecord> records = jsonRecords(100, 10);
    Pipeline pipeline = directPipeline();
    FirehoseDeliveryResult result = pipeline.apply(Create.of(records))
        .apply(toFolder().withPartitionKeyFromQuery("customer", ".customer").withMaxActivePartitions(3)
            .withPrefix("!{partitionKeyFromQuery:customer}/").withErrorOutputPrefix("errors/!{firehose:error-output-type}/")
            .withAppendDelimiter(true));
    PAssert.that(result.getErrors()).satisfies(errors -> {
      int n = 0;
      for (FirehoseErrorRecord error : errors) {
        assertThat(error.errorCode()).isEqualTo("DynamicPartitioning.ActivePartitionsLimitExceeded");
        assertThat(error.errorOutputType()).isEqualTo("partitioning-failed");
        n++;
      }
      assertThat(n).isEqualTo(70);
      return null;
    });
    run(pipeline);
    TreeMap<String, byte[]> objects = Objects.read(dir.resolve("out"));
    Map<String, List<String>> byFolder = new TreeMap<>();
    objects.forEach((key, body) -> byFolder.computeIfAbsent(key.substring(0, key.indexOf('/')), k -> new ArrayList<>())
        .addAll(Objects.lines(new TreeMap<>(Map.of(key, body)))));
    assertThat(byFolder).hasSize(4).containsKey("errors");
    assertThat(byFolder.get("errors")).hasSize(70);
    byFolder.forEach((folder, lines) -> {
      if (!folder.equals("errors")) {
        assertThat(lines).hasSize(10).allMatch(line -> line.contains("\"customer\":\"" + folder + "\""));
      }
    });
    // Every input record is either delivered or in the error output.
    List<String> all = new ArrayList<>();
    byFolder.forEach((folder, lines) -> lines.forEach(line -> all.add(folder.equals("errors")
        ? new String(Base64.getDecoder().decode(json(line).get("rawData").asText()), StandardCharsets.UTF_8) : line)));
    assertThat(all).containsExactlyInAnyOrderElementsOf(texts(records));
  }

  /** Ok (upper-cased, partitioned by parity), Dropped, ProcessingFailed, by the record's number. */
  static final class ByNumber implements RecordTransformer {
    private static final long serialVersionUID = 1L;

    @Override
    public List<TransformationResult> transform(List<TransformationRecord> records) {
      List<TransformationResult> out = new ArrayList<>();
      for (TransformationRecord record : records) {
        int n = json(record.dataAsString()).get("n").asInt();
        if (n % 10 == 7) {
          out.add(TransformationResult.dropped(record.recordId()));
        } else if (n % 10 == 9) {
          out.add(TransformationResult.processingFailed(record.recordId()));
        } else {
          out.add(TransformationResult.ok(record.recordId(),
              record.dataAsString().toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8),
              Map.of("parity", n % 2 == 0 ? "even" : "odd")));
        }
      }
      return out;
    }

    @Override
    public String functionArn() {
      return "arn:aws:lambda:us-east-1:123456789012:function:by-number";
    }
  }

  @Test
  void appliesTheLambdaContractOkDroppedAndProcessingFailed() {
    List<FirehoseRecord> records = jsonRecords(100, 1);
    Pipeline pipeline = directPipeline();
    FirehoseDeliveryResult result = pipeline.apply(Create.of(records))
        .apply(toFolder().withRecordTransformer(new ByNumber()).withTransformationBatch(7)
            .withPrefix("!{partitionKeyFromLambda:parity}/").withErrorOutputPrefix("failed/!{firehose:error-output-type}/")
            .withAppendDelimiter(true));
    PAssert.that(result.getErrors()).satisfies(errors -> {
      List<Integer> numbers = new ArrayList<>();
      for (FirehoseErrorRecord error : errors) {
        assertThat(error.errorCode()).isEqualTo("Lambda.ProcessingFailed");
        assertThat(error.errorOutputType()).isEqualTo("processing-failed");
        assertThat(error.lambdaArn()).isEqualTo("arn:aws:lambda:us-east-1:123456789012:function:by-number");
        assertThat(error.attemptsMade()).isEqualTo(1);
        numbers.add(json(new String(error.rawDataBytes(), StandardCharsets.UTF_8)).get("n").asInt());
      }
      assertThat(numbers).hasSize(10).allMatch(n -> n % 10 == 9);
      return null;
    });
    run(pipeline);
    TreeMap<String, byte[]> objects = Objects.read(dir.resolve("out"));
    List<String> even = new ArrayList<>();
    List<String> odd = new ArrayList<>();
    List<JsonNode> failed = new ArrayList<>();
    objects.forEach((key, body) -> {
      List<String> lines = Objects.lines(new TreeMap<>(Map.of(key, body)));
      if (key.startsWith("even/")) {
        even.addAll(lines);
      } else if (key.startsWith("odd/")) {
        odd.addAll(lines);
      } else {
        assertThat(key).startsWith("failed/processing-failed/clicks-1-");
        lines.forEach(line -> failed.add(json(line)));
      }
    });
    List<String> expectedEven = new ArrayList<>();
    List<String> expectedOdd = new ArrayList<>();
    for (int n = 0; n < 100; n++) {
      if (n % 10 != 7 && n % 10 != 9) {
        String upper = ("{\"N\":" + n + ",\"CUSTOMER\":\"C0\"}");
        (n % 2 == 0 ? expectedEven : expectedOdd).add(upper);
      }
    }
    assertThat(even).containsExactlyInAnyOrderElementsOf(expectedEven);
    assertThat(odd).containsExactlyInAnyOrderElementsOf(expectedOdd);
    assertThat(failed).hasSize(10).allMatch(e -> e.get("errorCode").asText().equals("Lambda.ProcessingFailed")
        && e.get("lambdaArn").asText().endsWith(":function:by-number") && e.get("attemptsMade").asInt() == 1);
  }

  /** Fails every call. */
  static final class Failing implements RecordTransformer {
    private static final long serialVersionUID = 1L;

    @Override
    public List<TransformationResult> transform(List<TransformationRecord> records) {
      throw new IllegalStateException("function crashed");
    }
  }

  /** Answers every record, and the first record's id once more. */
  static final class Repeating implements RecordTransformer {
    private static final long serialVersionUID = 1L;

    @Override
    public List<TransformationResult> transform(List<TransformationRecord> records) {
      List<TransformationResult> out = new ArrayList<>();
      for (TransformationRecord record : records) {
        out.add(TransformationResult.ok(record.recordId(), record.data()));
      }
      out.add(TransformationResult.ok(records.get(0).recordId(), records.get(0).data()));
      return out;
    }
  }

  @Test
  void aFunctionThatThrowsIsRetriedThenItsRecordsGoToTheErrorOutput() {
    List<FirehoseRecord> records = jsonRecords(20, 1);
    List<String> expected = texts(records);
    Pipeline pipeline = directPipeline();
    FirehoseDeliveryResult result = pipeline.apply(Create.of(records))
        .apply(toFolder().withRecordTransformer(new Failing())
            .withTransformationRetries(2, Duration.standardSeconds(60)).withTransformationBackoff(Duration.millis(1)));
    PAssert.that(result.getErrors()).satisfies(errors -> {
      List<String> raw = new ArrayList<>();
      for (FirehoseErrorRecord error : errors) {
        assertThat(error.errorCode()).isEqualTo("Lambda.FunctionError");
        assertThat(error.errorMessage()).contains("function crashed");
        assertThat(error.attemptsMade()).isEqualTo(3);
        assertThat(error.lambdaArn()).contains(Failing.class.getName());
        assertThat(error.attemptEndingTimestamp()).isGreaterThanOrEqualTo(error.arrivalTimestamp());
        raw.add(new String(error.rawDataBytes(), StandardCharsets.UTF_8));
      }
      assertThat(raw).containsExactlyInAnyOrderElementsOf(expected);
      return null;
    });
    run(pipeline);
    TreeMap<String, byte[]> objects = Objects.read(dir.resolve("out"));
    assertThat(objects.keySet()).allMatch(key -> key.startsWith("processing-failed/2024/03/07/09/clicks-1-"));
    assertThat(Objects.lines(objects)).hasSize(20);
  }

  @Test
  void aBatchThatBreaksTheContractFailsAsAWhole() {
    List<FirehoseRecord> records = jsonRecords(6, 1);
    Pipeline pipeline = directPipeline();
    FirehoseDeliveryResult result = pipeline.apply(Create.of(records))
        .apply(toFolder().withRecordTransformer(new Repeating())
            .withTransformationRetries(0, Duration.ZERO));
    PAssert.that(result.getErrors()).satisfies(errors -> {
      int n = 0;
      for (FirehoseErrorRecord error : errors) {
        assertThat(error.errorCode()).isEqualTo("Lambda.DuplicatedRecordId");
        assertThat(error.attemptsMade()).isEqualTo(1);
        n++;
      }
      assertThat(n).isEqualTo(6);
      return null;
    });
    run(pipeline);
  }

  @Test
  void deliversAStreamReadFromTheEmbeddedStore() {
    StreamClient client = store.open(dir.resolve("store"));
    client.createStream(CreateStreamRequest.provisioned("events", 2));
    List<String> expected = new ArrayList<>();
    List<PutRecordsEntry> batch = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      expected.add("event-" + i);
      batch.add(PutRecordsEntry.of("k" + (i % 13), ("event-" + i).getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(client.putRecords("events", batch).failedRecordCount()).isZero();

    Pipeline pipeline = directPipeline();
    pipeline.apply(StreamIO.read().withStream("events").withEndpoint(store.endpoint())
            .withStartingPosition(StartingPosition.trimHorizon()).withMaxNumRecords(400))
        .apply(FirehoseDelivery.to(FirehoseDestination.localFiles(dir.resolve("out")))
            .withDeliveryStreamName("events-to-files").withAppendDelimiter(true)
            .withCompression(CompressionFormat.GZIP).forStreamRecords());
    run(pipeline);
    TreeMap<String, byte[]> objects = Objects.read(dir.resolve("out"));
    String today = java.time.format.DateTimeFormatter.ofPattern("yyyy/MM/dd/").withZone(java.time.ZoneOffset.UTC)
        .format(java.time.Instant.now());
    assertThat(objects.keySet()).allMatch(key -> key.startsWith(today) && key.contains("/events-to-files-1-")
        && key.endsWith(".gz"));
    assertThat(Objects.lines(objects)).containsExactlyInAnyOrderElementsOf(expected);
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
