package dev.freshet.transforms.firehose;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import org.apache.avro.Schema;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;

/**
 * Record format conversion, as the service's DataFormatConversionConfiguration: JSON records are
 * read against a schema and delivered as columnar files, one Apache Parquet or Apache ORC file
 * per object, named with {@code .parquet} or {@code .orc}.
 *
 * <pre>{@code
 * FirehoseDelivery.to(destination).withDeliveryStreamName("clicks")
 *     .withDataFormatConversion(DataFormatConversion.toParquet(avroSchema)     // or a Beam Schema
 *         .withCompression(DataFormatConversion.Compression.GZIP));           // default SNAPPY
 * FirehoseDelivery.to(destination).withDeliveryStreamName("clicks")
 *     .withDataFormatConversion(DataFormatConversion.toOrc(beamSchema));      // default SNAPPY
 * }</pre>
 *
 * <p>The schema is an Avro record schema, or a Beam {@link org.apache.beam.sdk.schemas.Schema}
 * (converted with Beam's {@code AvroUtils}). Field types: {@code boolean}, {@code int}, {@code
 * long}, {@code float}, {@code double}, {@code string}, {@code enum} (delivered as a string), the
 * logical types {@code date} and {@code timestamp-millis}/{@code timestamp-micros}, nested records,
 * arrays, maps with string keys, and unions of {@code null} and one of these (a nullable field).
 * Any other type is refused when the conversion is built, with a message naming the field.
 *
 * <p>Records are read as the service's OpenX JSON deserializer reads them: each record is one JSON
 * object; keys match field names ignoring case; keys without a field are ignored; a missing or
 * {@code null} key gives {@code null} in a nullable field. A record that is not a JSON object, lacks a
 * field that is not nullable, or has a value that does not fit its field's type goes to the error
 * output (type {@code format-conversion-failed}) with error code {@value
 * #MALFORMED_DATA} or {@value #SCHEMA_MISMATCH} and a message that names the field.
 *
 * <p>Compression is inside the columnar format (Parquet: {@code SNAPPY} (default), {@code GZIP},
 * {@code UNCOMPRESSED}; ORC: {@code SNAPPY} (default), {@code ZLIB}, {@code UNCOMPRESSED}); as in
 * the service, the delivery's own compression must stay {@link CompressionFormat#UNCOMPRESSED}.
 */
@AutoValue
public abstract class DataFormatConversion implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The error output type of records that could not be converted. */
  public static final String FORMAT_CONVERSION_FAILED = "format-conversion-failed";
  /** Error code of a record that is not one JSON object. */
  public static final String MALFORMED_DATA = "DataFormatConversion.MalformedData";
  /** Error code of a record whose values do not fit the schema. */
  public static final String SCHEMA_MISMATCH = "DataFormatConversion.SchemaMismatch";

  /** The columnar output format. */
  public enum Format {
    /** Apache Parquet (written through parquet-avro); {@code .parquet}. */
    PARQUET(".parquet"),
    /** Apache ORC; {@code .orc}. */
    ORC(".orc");

    private final String extension;

    Format(String extension) {
      this.extension = extension;
    }

    /** The extension of delivered objects, with its dot. */
    public String extension() {
      return extension;
    }
  }

  /** Compression inside the columnar file (the service's ParquetSerDe / OrcSerDe Compression). */
  public enum Compression {
    UNCOMPRESSED,
    SNAPPY,
    /** Parquet only. */
    GZIP,
    /** ORC only. */
    ZLIB
  }

  /** Parquet files with {@code schema} (an Avro record schema), Snappy-compressed. */
  public static DataFormatConversion toParquet(Schema schema) {
    return of(Format.PARQUET, schema);
  }

  /** Parquet files with a Beam schema, Snappy-compressed. */
  public static DataFormatConversion toParquet(org.apache.beam.sdk.schemas.Schema schema) {
    checkNotNull(schema, "schema");
    return of(Format.PARQUET, AvroUtils.toAvroSchema(schema));
  }

  /** ORC files with {@code schema} (an Avro record schema), Snappy-compressed. */
  public static DataFormatConversion toOrc(Schema schema) {
    return of(Format.ORC, schema);
  }

  /** ORC files with a Beam schema, Snappy-compressed. */
  public static DataFormatConversion toOrc(org.apache.beam.sdk.schemas.Schema schema) {
    checkNotNull(schema, "schema");
    return of(Format.ORC, AvroUtils.toAvroSchema(schema));
  }

  private static DataFormatConversion of(Format format, Schema schema) {
    checkNotNull(schema, "schema");
    checkArgument(schema.getType() == Schema.Type.RECORD,
        "the schema of data format conversion must be a record, but was: %s", schema.getType());
    JsonRecords.checkSupported(schema);
    return new AutoValue_DataFormatConversion(format, schema.toString(), Compression.SNAPPY);
  }

  public abstract Format format();

  /** The Avro record schema, as JSON. */
  abstract String schemaJson();

  public abstract Compression compression();

  /** Compression inside the file: see {@link Compression} for which format takes which. */
  public DataFormatConversion withCompression(Compression compression) {
    checkNotNull(compression, "compression");
    Compression other = format() == Format.PARQUET ? Compression.ZLIB : Compression.GZIP;
    checkArgument(compression != other, "compression %s is not available for %s; use UNCOMPRESSED, SNAPPY or %s",
        compression, format(), format() == Format.PARQUET ? Compression.GZIP : Compression.ZLIB);
    return new AutoValue_DataFormatConversion(format(), schemaJson(), compression);
  }

  /** The schema records are read against. */
  public Schema schema() {
    return new Schema.Parser().parse(schemaJson());
  }
}
