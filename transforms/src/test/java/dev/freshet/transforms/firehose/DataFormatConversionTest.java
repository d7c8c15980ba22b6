package dev.freshet.transforms.firehose;

import static dev.freshet.transforms.firehose.FirehoseDeliveryTest.T0;
import static dev.freshet.transforms.firehose.FirehoseDeliveryTest.directPipeline;
import static dev.freshet.transforms.firehose.FirehoseDeliveryTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.transforms.Create;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.hive.ql.exec.vector.BytesColumnVector;
import org.apache.hadoop.hive.ql.exec.vector.ColumnVector;
import org.apache.hadoop.hive.ql.exec.vector.DoubleColumnVector;
import org.apache.hadoop.hive.ql.exec.vector.ListColumnVector;
import org.apache.hadoop.hive.ql.exec.vector.LongColumnVector;
import org.apache.hadoop.hive.ql.exec.vector.MapColumnVector;
import org.apache.hadoop.hive.ql.exec.vector.StructColumnVector;
import org.apache.hadoop.hive.ql.exec.vector.TimestampColumnVector;
import org.apache.hadoop.hive.ql.exec.vector.VectorizedRowBatch;
import org.apache.orc.CompressionKind;
import org.apache.orc.OrcFile;
import org.apache.orc.Reader;
import org.apache.orc.RecordReader;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * JSON records converted to Parquet and ORC on the Direct runner, read back with the Parquet (Avro)
 * and ORC readers and compared row by row; records that do not fit go to the error output.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DataFormatConversionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** The Avro schema of the clicks. */
  static final Schema CLICK = SchemaBuilder.record("Click").namespace("test").fields()
      .requiredString("page")
      .requiredLong("user_id")
      .optionalDouble("price")
      .name("at").type(org.apache.avro.LogicalTypes.timestampMillis()
          .addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
      .name("tags").type().array().items().stringType().noDefault()
      .name("counts").type().map().values().longType().noDefault()
      .name("geo").type().optional().record("Geo").fields()
          .requiredString("country").optionalInt("zip").endRecord()
      .name("day").type(org.apache.avro.LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT))).noDefault()
      .endRecord();

  /** The same schema as a Beam schema. */
  static final org.apache.beam.sdk.schemas.Schema CLICK_BEAM = org.apache.beam.sdk.schemas.Schema.builder()
      .addStringField("page")
      .addInt64Field("user_id")
      .addNullableField("price", org.apache.beam.sdk.schemas.Schema.FieldType.DOUBLE)
      .addDateTimeField("at")
      .addArrayField("tags", org.apache.beam.sdk.schemas.Schema.FieldType.STRING)
      .addMapField("counts", org.apache.beam.sdk.schemas.Schema.FieldType.STRING,
          org.apache.beam.sdk.schemas.Schema.FieldType.INT64)
      .addNullableField("geo", org.apache.beam.sdk.schemas.Schema.FieldType.row(
          org.apache.beam.sdk.schemas.Schema.builder().addStringField("country")
              .addNullableField("zip", org.apache.beam.sdk.schemas.Schema.FieldType.INT32).build()))
      .addLogicalTypeField("day", SqlTypes.DATE)
      .build();

  private static final long AT = 1709804465123L; // 2024-03-07T09:41:05.123Z
  private static final long DAY = 19789; // 2024-03-07

  /** Good records (keys in any case, extra keys, a missing nullable field, ISO and numeric times). */
  static final List<String> GOOD = List.of(
      "{\"page\":\"/home\",\"user_id\":1,\"price\":9.5,\"at\":" + AT + ",\"tags\":[\"a\",\"b\"],"
          + "\"counts\":{\"x\":1,\"y\":2},\"geo\":{\"country\":\"NL\",\"zip\":1011},\"day\":\"2024-03-07\"}",
      "{\"Page\":\"/cart\",\"USER_ID\":\"2\",\"at\":\"2024-03-07T09:41:05.123Z\",\"tags\":[],"
          + "\"counts\":{},\"geo\":null,\"day\":" + DAY + ",\"ignored\":{\"deep\":true}}",
      "{\"page\":\"/pay\",\"user_id\":3,\"price\":null,\"at\":" + AT + ",\"tags\":[\"c\"],"
          + "\"counts\":{\"z\":-5},\"geo\":{\"country\":\"FR\"},\"day\":\"2024-03-07\"}");

  /** The rows the good records must read back as, in the readers' neutral form. */
  static final List<List<Object>> ROWS = List.of(
      row("/home", 1L, 9.5, AT, List.of("a", "b"), map("x", 1L, "y", 2L), Arrays.asList("NL", 1011L), DAY),
      row("/cart", 2L, null, AT, List.of(), map(), null, DAY),
      row("/pay", 3L, null, AT, List.of("c"), map("z", -5L), Arrays.asList("FR", null), DAY));

  /** Records that do not fit, with the code each must get and a word its message must hold. */
  static final Map<String, String[]> BAD = Map.of(
      "not json at all", new String[] {DataFormatConversion.MALFORMED_DATA, "not valid JSON"},
      "[1,2,3]", new String[] {DataFormatConversion.MALFORMED_DATA, "not a JSON object"},
      "{\"page\":\"/x\",\"user_id\":\"abc\",\"at\":1,\"tags\":[],\"counts\":{},\"day\":1}",
          new String[] {DataFormatConversion.SCHEMA_MISMATCH, "user_id"},
      "{\"user_id\":4,\"at\":1,\"tags\":[],\"counts\":{},\"day\":1}",
          new String[] {DataFormatConversion.SCHEMA_MISMATCH, "page"},
      "{\"page\":\"/x\",\"user_id\":5,\"at\":1,\"tags\":[\"ok\",[1]],\"counts\":{},\"day\":1}",
          new String[] {DataFormatConversion.SCHEMA_MISMATCH, "tags[1]"},
      "{\"page\":\"/x\",\"user_id\":6,\"at\":1,\"tags\":[],\"counts\":{},\"geo\":{\"zip\":1},\"day\":1}",
          new String[] {DataFormatConversion.SCHEMA_MISMATCH, "geo.country"});

  private static List<Object> row(Object... values) {
    return Arrays.asList(values);
  }

  private static Map<String, Long> map(Object... kv) {
    Map<String, Long> out = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      out.put((String) kv[i], (Long) kv[i + 1]);
    }
    return out;
  }

  private static List<FirehoseRecord> input() {
    List<FirehoseRecord> records = new ArrayList<>();
    Stream.concat(GOOD.stream(), BAD.keySet().stream())
        .forEach(text -> records.add(FirehoseRecord.ofText(text, T0)));
    return records;
  }

  private FirehoseDeliveryResult deliver(Pipeline pipeline, DataFormatConversion conversion) {
    return pipeline.apply(Create.of(input())).apply(
        FirehoseDelivery.to(FirehoseDestination.localFiles(dir.resolve("out")))
            .withDeliveryStreamName("clicks")
            .withDataFormatConversion(conversion));
  }

  @Test
  void parquetWithAnAvroSchemaHoldsEveryGoodRecordAsARowAndSnappyByDefault() throws IOException {
    Pipeline pipeline = directPipeline();
    deliver(pipeline, DataFormatConversion.toParquet(CLICK));
    run(pipeline);

    List<Path> files = dataFiles(".parquet");
    assertThat(files).isNotEmpty().allMatch(f -> dir.resolve("out").relativize(f).toString()
        .matches("2024/03/07/09/clicks-1-2024-03-07-09-41-05-[0-9a-f-]{36}\\.parquet"));
    List<List<Object>> rows = new ArrayList<>();
    for (Path file : files) {
      try (ParquetFileReader footer = ParquetFileReader.open(new LocalInputFile(file))) {
        for (BlockMetaData block : footer.getFooter().getBlocks()) {
          for (ColumnChunkMetaData column : block.getColumns()) {
            assertThat(column.getCodec()).isEqualTo(CompressionCodecName.SNAPPY);
          }
        }
      }
      try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file))
          .withConf(new PlainParquetConfiguration()).build()) {
        for (GenericRecord record = reader.read(); record != null; record = reader.read()) {
          rows.add(neutral(record));
        }
      }
    }
    assertThat(rows).containsExactlyInAnyOrderElementsOf(ROWS);
    assertErrorOutput();
  }

  @Test
  void orcWithABeamSchemaAndZlibHoldsEveryGoodRecordAsARow() throws IOException {
    Pipeline pipeline = directPipeline();
    deliver(pipeline, DataFormatConversion.toOrc(CLICK_BEAM).withCompression(DataFormatConversion.Compression.ZLIB));
    run(pipeline);

    List<Path> files = dataFiles(".orc");
    assertThat(files).isNotEmpty().allMatch(f -> f.getFileName().toString().matches("clicks-1-.*\\.orc"));
    List<List<Object>> rows = new ArrayList<>();
    Configuration conf = new Configuration(false);
    try (RawLocalFileSystem fs = new RawLocalFileSystem()) {
      fs.initialize(URI.create("file:///"), conf);
      for (Path file : files) {
        try (Reader reader = OrcFile.createReader(new org.apache.hadoop.fs.Path(file.toUri()),
            OrcFile.readerOptions(conf).filesystem(fs))) {
          assertThat(reader.getCompressionKind()).isEqualTo(CompressionKind.ZLIB);
          assertThat(reader.getSchema().getFieldNames())
              .containsExactly("page", "user_id", "price", "at", "tags", "counts", "geo", "day");
          VectorizedRowBatch batch = reader.getSchema().createRowBatch();
          try (RecordReader records = reader.rows()) {
            while (records.nextBatch(batch)) {
              for (int r = 0; r < batch.size; r++) {
                List<Object> row = new ArrayList<>();
                for (ColumnVector column : batch.cols) {
                  row.add(orcValue(column, r));
                }
                rows.add(row);
              }
            }
          }
        }
      }
    }
    assertThat(rows).containsExactlyInAnyOrderElementsOf(ROWS);
    assertErrorOutput();
  }

  @Test
  void orcSnappyByDefaultAndParquetUncompressedOnRequest() throws IOException {
    Pipeline pipeline = directPipeline();
    pipeline.apply(Create.of(input())).apply(FirehoseDelivery.to(FirehoseDestination.localFiles(dir.resolve("out")))
        .withDeliveryStreamName("orc").withDataFormatConversion(DataFormatConversion.toOrc(CLICK)));
    pipeline.apply("Parquet", Create.of(input())).apply("ToParquet",
        FirehoseDelivery.to(FirehoseDestination.localFiles(dir.resolve("out"))).withDeliveryStreamName("pq")
            .withPrefix("pq/").withDataFormatConversion(DataFormatConversion.toParquet(CLICK)
                .withCompression(DataFormatConversion.Compression.UNCOMPRESSED)));
    run(pipeline);
    Configuration conf = new Configuration(false);
    try (RawLocalFileSystem fs = new RawLocalFileSystem()) {
      fs.initialize(URI.create("file:///"), conf);
      for (Path file : dataFiles(".orc")) {
        try (Reader reader = OrcFile.createReader(new org.apache.hadoop.fs.Path(file.toUri()),
            OrcFile.readerOptions(conf).filesystem(fs))) {
          assertThat(reader.getCompressionKind()).isEqualTo(CompressionKind.SNAPPY);
          assertThat(reader.getNumberOfRows()).isEqualTo(GOOD.size());
        }
      }
    }
    List<Path> parquet = dataFiles(".parquet");
    assertThat(parquet).isNotEmpty();
    for (Path file : parquet) {
      try (ParquetFileReader footer = ParquetFileReader.open(new LocalInputFile(file))) {
        assertThat(footer.getRecordCount()).isEqualTo(GOOD.size());
        footer.getFooter().getBlocks().forEach(block -> block.getColumns()
            .forEach(column -> assertThat(column.getCodec()).isEqualTo(CompressionCodecName.UNCOMPRESSED)));
      }
    }
  }

  @Test
  void settingsThatDoNotGoWithConversionFailWhenApplied() {
    FirehoseDelivery.Write write = FirehoseDelivery.to(FirehoseDestination.localFiles(dir))
        .withDeliveryStreamName("clicks").withDataFormatConversion(DataFormatConversion.toParquet(CLICK));
    assertThatThrownBy(() -> directPipeline().apply(Create.of(input()))
        .apply(write.withCompression(CompressionFormat.GZIP)))
        .hasMessageContaining("compression must be UNCOMPRESSED with data format conversion")
        .hasMessageContaining("GZIP");
    assertThatThrownBy(() -> directPipeline().apply(Create.of(input())).apply(write.withAppendDelimiter(true)))
        .hasMessageContaining("appendDelimiter cannot be used with data format conversion");
    assertThatThrownBy(() -> DataFormatConversion.toOrc(CLICK).withCompression(DataFormatConversion.Compression.GZIP))
        .hasMessageContaining("compression GZIP is not available for ORC");
    assertThatThrownBy(() -> DataFormatConversion.toParquet(CLICK).withCompression(DataFormatConversion.Compression.ZLIB))
        .hasMessageContaining("compression ZLIB is not available for PARQUET");
    Schema withBytes = SchemaBuilder.record("R").fields().requiredString("a").requiredBytes("blob").endRecord();
    assertThatThrownBy(() -> DataFormatConversion.toParquet(withBytes))
        .hasMessageContaining("type BYTES of field R.blob");
    assertThatThrownBy(() -> DataFormatConversion.toOrc(Schema.create(Schema.Type.STRING)))
        .hasMessageContaining("must be a record, but was: STRING");
  }

  /** The bad records are in the error output, with the service's error JSON, and nowhere else. */
  private void assertErrorOutput() throws IOException {
    TreeMap<String, byte[]> errorObjects = new TreeMap<>();
    Objects.read(dir.resolve("out")).forEach((key, body) -> {
      if (!key.endsWith(".parquet") && !key.endsWith(".orc")) {
        errorObjects.put(key, body);
      }
    });
    assertThat(errorObjects.keySet()).allMatch(key -> key.startsWith("format-conversion-failed/2024/03/07/09/clicks-1-"));
    Map<String, JsonNode> byRaw = new LinkedHashMap<>();
    for (String line : Objects.lines(errorObjects)) {
      JsonNode error = JSON.readTree(line);
      byRaw.put(new String(Base64.getDecoder().decode(error.get("rawData").asText()), StandardCharsets.UTF_8), error);
    }
    assertThat(byRaw.keySet()).containsExactlyInAnyOrderElementsOf(BAD.keySet());
    BAD.forEach((raw, expected) -> {
      JsonNode error = byRaw.get(raw);
      assertThat(error.get("errorCode").asText()).as(raw).isEqualTo(expected[0]);
      assertThat(error.get("errorMessage").asText()).as(raw).contains(expected[1]);
      assertThat(error.get("arrivalTimestamp").asLong()).isEqualTo(T0.getMillis());
      assertThat(error.has("attemptsMade")).isTrue();
      assertThat(error.has("lambdaArn")).isFalse();
    });
  }

  private List<Path> dataFiles(String extension) throws IOException {
    try (Stream<Path> files = Files.walk(dir.resolve("out"))) {
      return files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(extension)).toList();
    }
  }

  /** A Parquet (Avro) record in the neutral form of {@link #ROWS}. */
  private static List<Object> neutral(GenericRecord record) {
    List<Object> row = new ArrayList<>();
    for (Schema.Field field : record.getSchema().getFields()) {
      row.add(neutralValue(record.get(field.pos())));
    }
    return row;
  }

  private static @Nullable Object neutralValue(@Nullable Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof CharSequence text) {
      return text.toString();
    }
    if (value instanceof Integer n) {
      return n.longValue();
    }
    if (value instanceof GenericRecord nested) {
      return neutral(nested);
    }
    if (value instanceof List<?> list) {
      return list.stream().map(DataFormatConversionTest::neutralValue).toList();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new TreeMap<>();
      map.forEach((k, v) -> out.put(k.toString(), neutralValue(v)));
      return out;
    }
    return value;
  }

  /** An ORC value in the neutral form of {@link #ROWS}. */
  private static @Nullable Object orcValue(ColumnVector column, int row) {
    int r = column.isRepeating ? 0 : row;
    if (!column.noNulls && column.isNull[r]) {
      return null;
    }
    if (column instanceof TimestampColumnVector timestamps) {
      return timestamps.getTime(r);
    }
    if (column instanceof LongColumnVector longs) {
      return longs.vector[r];
    }
    if (column instanceof DoubleColumnVector doubles) {
      return doubles.vector[r];
    }
    if (column instanceof BytesColumnVector bytes) {
      return bytes.toString(r);
    }
    if (column instanceof StructColumnVector struct) {
      List<Object> values = new ArrayList<>();
      for (ColumnVector field : struct.fields) {
        values.add(orcValue(field, r));
      }
      return values;
    }
    if (column instanceof MapColumnVector map) {
      Map<String, Object> out = new TreeMap<>();
      for (long i = map.offsets[r]; i < map.offsets[r] + map.lengths[r]; i++) {
        out.put((String) orcValue(map.keys, (int) i), orcValue(map.values, (int) i));
      }
      return out;
    }
    if (column instanceof ListColumnVector list) {
      List<Object> out = new ArrayList<>();
      for (long i = list.offsets[r]; i < list.offsets[r] + list.lengths[r]; i++) {
        out.add(orcValue(list.child, (int) i));
      }
      return out;
    }
    throw new AssertionError(column.getClass());
  }
}
