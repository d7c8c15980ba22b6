package dev.freshet.sql.firehose;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.freshet.sql.TableProperties;
import dev.freshet.sql.kinesis.PayloadFormat;
import dev.freshet.transforms.firehose.CompressionFormat;
import dev.freshet.transforms.firehose.FirehoseDelivery;
import dev.freshet.transforms.firehose.FirehoseDestination;
import dev.freshet.transforms.firehose.S3Destination;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.extensions.sql.meta.Table;
import org.apache.beam.sdk.schemas.Schema;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * The typed form of a {@code firehose} table: LOCATION and TBLPROPERTIES parsed once, into the
 * {@link FirehoseDelivery} spec the table writes with. Every error names the property and the bad
 * value; the delivery transform's own range checks are reported under the property's name.
 */
final class FirehoseTableConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  static final String DESTINATION = "destination";
  static final String BUFFER_SIZE = "bufferSize";
  static final String BUFFER_INTERVAL = "bufferInterval";
  static final String COMPRESSION = "compression";
  static final String PREFIX = "prefix";
  static final String ERROR_OUTPUT_PREFIX = "errorOutputPrefix";
  static final String FORMAT = "format";
  static final String APPEND_DELIMITER = "appendDelimiter";
  static final String S3_ENDPOINT = "s3Endpoint";
  static final String S3_REGION = "s3Region";
  static final String S3_PATH_STYLE = "s3PathStyle";

  static final ImmutableSet<String> PROPERTIES = ImmutableSet.of(DESTINATION, BUFFER_SIZE, BUFFER_INTERVAL,
      COMPRESSION, PREFIX, ERROR_OUTPUT_PREFIX, FORMAT, APPEND_DELIMITER, S3_ENDPOINT, S3_REGION, S3_PATH_STYLE);

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)?");

  final String tableName;
  final Schema schema;
  final PayloadFormat format;
  final FirehoseDelivery.Write delivery;

  private FirehoseTableConfig(String tableName, Schema schema, PayloadFormat format, FirehoseDelivery.Write delivery) {
    this.tableName = tableName;
    this.schema = schema;
    this.format = format;
    this.delivery = delivery;
  }

  /**
   * Parses a table definition.
   *
   * @throws IllegalArgumentException naming the property, or LOCATION, that is wrong
   */
  static FirehoseTableConfig parse(Table table) {
    String name = table.getName();
    String location = table.getLocation() == null ? "" : table.getLocation().trim();
    checkArgument(location.matches("[a-zA-Z0-9_.-]{1,64}"),
        "LOCATION of firehose table %s must be a delivery stream name of 1 to 64 characters of a-zA-Z0-9_.-, "
            + "but was: %s", name, table.getLocation());
    Schema schema = table.getSchema();
    checkArgument(schema.getFieldCount() > 0, "firehose table %s needs at least one column", name);
    Map<String, String> properties =
        TableProperties.read("firehose", name, table.getProperties(), PROPERTIES, "a string or a number");

    String destinationText = properties.get(DESTINATION);
    checkArgument(destinationText != null,
        "firehose table %s needs table property 'destination', such as file:///data/lake or s3://bucket", name);
    FirehoseDestination destination = destination(destinationText, properties);

    PayloadFormat format = properties.containsKey(FORMAT) ? PayloadFormat.parse(properties.get(FORMAT)) : PayloadFormat.JSON;
    checkArgument(format != PayloadFormat.AVRO,
        "table property 'format' of firehose table %s must be json or csv (objects hold one record per line), "
            + "but was: %s", name, properties.get(FORMAT));
    if (format == PayloadFormat.CSV) {
      for (Schema.Field field : schema.getFields()) {
        checkArgument(!field.getType().getTypeName().isCompositeType() && !field.getType().getTypeName().isCollectionType(),
            "format csv of firehose table %s needs scalar columns, but %s is %s", name, field.getName(), field.getType());
      }
    }

    FirehoseDelivery.Write delivery = FirehoseDelivery.to(destination).withDeliveryStreamName(location);
    if (properties.containsKey(BUFFER_SIZE)) {
      int mib = integer(BUFFER_SIZE, properties.get(BUFFER_SIZE));
      FirehoseDelivery.Write current = delivery;
      delivery = setting(BUFFER_SIZE, properties.get(BUFFER_SIZE), () -> current.withBufferSize(mib));
    }
    if (properties.containsKey(BUFFER_INTERVAL)) {
      Duration interval = duration(BUFFER_INTERVAL, properties.get(BUFFER_INTERVAL));
      FirehoseDelivery.Write current = delivery;
      delivery = setting(BUFFER_INTERVAL, properties.get(BUFFER_INTERVAL), () -> current.withBufferInterval(interval));
    }
    if (properties.containsKey(COMPRESSION)) {
      CompressionFormat compression = compression(properties.get(COMPRESSION));
      delivery = delivery.withCompression(compression);
    }
    if (properties.containsKey(PREFIX)) {
      FirehoseDelivery.Write current = delivery;
      delivery = setting(PREFIX, properties.get(PREFIX), () -> current.withPrefix(properties.get(PREFIX)));
    }
    if (properties.containsKey(ERROR_OUTPUT_PREFIX)) {
      FirehoseDelivery.Write current = delivery;
      delivery = setting(ERROR_OUTPUT_PREFIX, properties.get(ERROR_OUTPUT_PREFIX),
          () -> current.withErrorOutputPrefix(properties.get(ERROR_OUTPUT_PREFIX)));
    }
    boolean appendDelimiter = !properties.containsKey(APPEND_DELIMITER)
        || bool(APPEND_DELIMITER, properties.get(APPEND_DELIMITER));
    delivery = delivery.withAppendDelimiter(appendDelimiter);
    return new FirehoseTableConfig(name, schema, format, delivery);
  }

  /** Applies one setting; the transform's own check becomes an error naming the property. */
  private static FirehoseDelivery.Write setting(String property, String value,
      java.util.function.Supplier<FirehoseDelivery.Write> apply) {
    try {
      return apply.get();
    } catch (IllegalArgumentException e) {
      // Without the cause: callers that unwrap to the innermost IllegalArgumentException (FreshetSql
      // does, under Calcite's wrappers) would lose the property's name.
      throw new IllegalArgumentException("table property '" + property + "' is not valid (" + value + "): "
          + e.getMessage());
    }
  }

  private static FirehoseDestination destination(String value, Map<String, String> properties) {
    URI uri;
    try {
      uri = new URI(value.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("table property 'destination' must be a file:///folder or s3://bucket URI, "
          + "but was: " + value, e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean s3Options = properties.containsKey(S3_ENDPOINT) || properties.containsKey(S3_REGION)
        || properties.containsKey(S3_PATH_STYLE);
    switch (scheme) {
      case "file":
        checkArgument(!s3Options, "table properties 's3Endpoint', 's3Region' and 's3PathStyle' are for an s3:// "
            + "destination, but 'destination' is: %s", value);
        checkArgument(uri.getPath() != null && !uri.getPath().isEmpty() && uri.getAuthority() == null,
            "table property 'destination' must be a file URI with an absolute path such as file:///data/lake, "
                + "but was: %s", value);
        return FirehoseDestination.localFiles(Path.of(uri));
      case "s3":
        String bucket = uri.getHost();
        checkArgument(bucket != null && !bucket.isEmpty() && (uri.getPath() == null || uri.getPath().isEmpty()
                || uri.getPath().equals("/")),
            "table property 'destination' must name only a bucket, as s3://bucket (use 'prefix' for the key prefix), "
                + "but was: %s", value);
        S3Destination.Builder s3 = S3Destination.builder().setBucket(bucket);
        if (properties.containsKey(S3_ENDPOINT)) {
          try {
            s3.setEndpoint(new URI(properties.get(S3_ENDPOINT).trim()));
          } catch (URISyntaxException e) {
            throw new IllegalArgumentException("table property 's3Endpoint' must be a URI such as "
                + "http://127.0.0.1:4568, but was: " + properties.get(S3_ENDPOINT), e);
          }
        }
        if (properties.containsKey(S3_REGION)) {
          s3.setRegion(properties.get(S3_REGION).trim());
        }
        if (properties.containsKey(S3_PATH_STYLE)) {
          s3.setPathStyle(bool(S3_PATH_STYLE, properties.get(S3_PATH_STYLE)));
        }
        return s3.build();
      default:
        throw new IllegalArgumentException("table property 'destination' must be a file:///folder or s3://bucket URI, "
            + "but was: " + value);
    }
  }

  private static CompressionFormat compression(String value) {
    String text = value.trim().toUpperCase(Locale.ROOT);
    for (CompressionFormat format : CompressionFormat.values()) {
      if (format.name().equals(text)) {
        return format;
      }
    }
    throw new IllegalArgumentException("table property 'compression' must be one of "
        + ImmutableList.copyOf(CompressionFormat.values()) + ", but was: " + value);
  }

  private static int integer(String property, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("table property '" + property + "' must be a whole number of MiB, "
          + "such as 5, but was: " + value);
    }
  }

  private static boolean bool(String property, String value) {
    String text = value.trim().toLowerCase(Locale.ROOT);
    checkArgument(text.equals("true") || text.equals("false"),
        "table property '%s' must be true or false, but was: %s", property, value);
    return text.equals("true");
  }

  /** {@code 60s}, {@code 500ms}, {@code 5m}, {@code 0}, a plain number of seconds ({@code 60}, as the service), or ISO-8601. */
  private static Duration duration(String property, String value) {
    String text = value.trim().toLowerCase(Locale.ROOT);
    Matcher matcher = DURATION.matcher(text);
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      String unit = matcher.group(2) == null ? "s" : matcher.group(2);
      switch (unit) {
        case "ms":
          return Duration.millis(amount);
        case "m":
          return Duration.standardMinutes(amount);
        case "h":
          return Duration.standardHours(amount);
        default:
          return Duration.standardSeconds(amount);
      }
    }
    try {
      return Duration.millis(java.time.Duration.parse(value.trim()).toMillis());
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("table property '" + property + "' must be a duration such as 60 (seconds), "
          + "60s, 500ms, 5m or PT60S, but was: " + value, e);
    }
  }
}
