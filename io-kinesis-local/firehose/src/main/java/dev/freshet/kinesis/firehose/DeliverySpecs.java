package dev.freshet.kinesis.firehose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.transforms.firehose.CompressionFormat;
import dev.freshet.transforms.firehose.CopyOptions;
import dev.freshet.transforms.firehose.DeliveryEngine;
import dev.freshet.transforms.firehose.FirehoseDelivery;
import dev.freshet.transforms.firehose.FirehoseDestination;
import dev.freshet.transforms.firehose.HttpEndpointDestination;
import dev.freshet.transforms.firehose.PostgresDestination;
import dev.freshet.transforms.firehose.RecordTransformer;
import java.net.URI;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.joda.time.Duration;

/**
 * Turns a destination's configuration, in the service's JSON shape, into a {@link
 * FirehoseDelivery.Write}, whose checks then apply: an ExtendedS3 destination into an object
 * delivery, an HttpEndpoint into {@link HttpEndpointDestination}, a Redshift destination into
 * {@link PostgresDestination}. Every mistake is a {@link FirehoseException} of type {@code
 * InvalidArgumentException} naming the member at fault.
 */
final class DeliverySpecs {
  private DeliverySpecs() {}

  /** The kinds of destination, with their member name stems. */
  enum Kind {
    EXTENDED_S3("ExtendedS3"),
    HTTP_ENDPOINT("HttpEndpoint"),
    REDSHIFT("Redshift");

    final String stem;

    Kind(String stem) {
      this.stem = stem;
    }

    String configurationMember() {
      return stem + "DestinationConfiguration";
    }

    String updateMember() {
      return stem + "DestinationUpdate";
    }

    String descriptionMember() {
      return stem + "DestinationDescription";
    }

    static Kind of(String stem) {
      for (Kind kind : values()) {
        if (kind.stem.equals(stem)) {
          return kind;
        }
      }
      throw new IllegalArgumentException(stem);
    }
  }

  /** Where a bucket ARN's objects go: the S3 API of the service, or files. */
  interface Buckets extends Function<String, FirehoseDestination> {}

  /**
   * The delivery of stream {@code name} at {@code version} to the destination {@code config} of
   * {@code kind}; checked as the transform checks it.
   */
  static FirehoseDelivery.Write build(String name, String streamArn, int version, Kind kind, ObjectNode config,
      Buckets buckets, Transformers transformers) {
    String member = kind.configurationMember();
    try {
      FirehoseDelivery.Write write;
      switch (kind) {
        case EXTENDED_S3 -> {
          FirehoseDestination destination = buckets.apply(bucketArn(config, member));
          write = objectSettings(FirehoseDelivery.to(destination), config, member);
        }
        case HTTP_ENDPOINT -> {
          ObjectNode s3 = object(config, "S3Configuration", member);
          JsonNode endpoint = object(config, "EndpointConfiguration", member);
          String url = text(endpoint, "Url", member + ".EndpointConfiguration");
          HttpEndpointDestination.Builder http = HttpEndpointDestination.builder()
              .setUrl(uri(url, member + ".EndpointConfiguration.Url"))
              .setBackup(buckets.apply(bucketArn(s3, member + ".S3Configuration")))
              .setSourceArn(streamArn)
              .setRetryDuration(retryDuration(config, 300, member));
          if (endpoint.hasNonNull("AccessKey")) {
            http.setAccessKey(endpoint.get("AccessKey").asText());
          }
          JsonNode request = config.path("RequestConfiguration");
          if (request.hasNonNull("ContentEncoding")) {
            String encoding = request.get("ContentEncoding").asText();
            if (!encoding.equals("NONE") && !encoding.equals("GZIP")) {
              throw FirehoseException.invalid("%s.RequestConfiguration.ContentEncoding must be NONE or GZIP, but was: %s",
                  member, encoding);
            }
            http.setGzipEncoding(encoding.equals("GZIP"));
          }
          Map<String, String> attributes = new LinkedHashMap<>();
          for (JsonNode attribute : request.path("CommonAttributes")) {
            attributes.put(attribute.path("AttributeName").asText(), attribute.path("AttributeValue").asText());
          }
          http.setCommonAttributes(attributes);
          String backupMode = config.path("S3BackupMode").asText("FailedDataOnly");
          if (!backupMode.equals("FailedDataOnly")) {
            throw FirehoseException.invalid("%s.S3BackupMode %s is not supported; use FailedDataOnly", member, backupMode);
          }
          write = FirehoseDelivery.to(http.build()).withAppendDelimiter(false);
          write = prefixes(write, s3, member + ".S3Configuration");
        }
        case REDSHIFT -> {
          ObjectNode s3 = object(config, "S3Configuration", member);
          String jdbc = text(config, "ClusterJDBCURL", member);
          if (!jdbc.startsWith("jdbc:postgresql://")) {
            throw FirehoseException.invalid("%s.ClusterJDBCURL must be a PostgreSQL URL (jdbc:postgresql://HOST:PORT/DB; "
                + "Freshet loads PostgreSQL in place of Redshift), but was: %s", member, jdbc);
          }
          JsonNode copy = object(config, "CopyCommand", member);
          PostgresDestination.Builder postgres = PostgresDestination.builder()
              .setJdbcUrl(jdbc)
              .setTable(text(copy, "DataTableName", member + ".CopyCommand"))
              .setStaging(buckets.apply(bucketArn(s3, member + ".S3Configuration")))
              .setRetryDuration(retryDuration(config, 3600, member))
              .setCopyOptions(CopyCommands.parse(copy.path("CopyOptions").asText(""),
                  member + ".CopyCommand.CopyOptions"));
          if (copy.hasNonNull("DataTableColumns")) {
            List<String> columns = new ArrayList<>();
            for (String column : copy.get("DataTableColumns").asText().split(",")) {
              if (!column.isBlank()) {
                columns.add(column.trim());
              }
            }
            postgres.setColumns(columns);
          }
          if (config.hasNonNull("Username")) {
            postgres.setUser(config.get("Username").asText());
          }
          if (config.hasNonNull("Password")) {
            postgres.setPassword(config.get("Password").asText());
          }
          write = FirehoseDelivery.to(postgres.build());
          write = prefixes(write, s3, member + ".S3Configuration");
          write = bufferAndCompression(write, s3, member + ".S3Configuration");
        }
        default -> throw new AssertionError(kind);
      }
      write = write.withDeliveryStreamName(name).withVersion(version);
      if (kind != Kind.REDSHIFT) {
        write = bufferAndCompression(write, config, member);
      }
      write = processing(write, config, member, transformers);
      DeliveryEngine.validate(write);
      return write;
    } catch (IllegalArgumentException e) {
      throw FirehoseException.invalid("%s: %s", member, e.getMessage());
    }
  }

  private static FirehoseDelivery.Write objectSettings(FirehoseDelivery.Write write, ObjectNode config,
      String member) {
    write = prefixes(write, config, member);
    if (config.hasNonNull("CustomTimeZone")) {
      try {
        write = write.withTimeZone(ZoneId.of(config.get("CustomTimeZone").asText()));
      } catch (DateTimeException e) {
        throw FirehoseException.invalid("%s.CustomTimeZone is not a time zone: %s", member,
            config.get("CustomTimeZone").asText());
      }
    }
    if (config.path("DataFormatConversionConfiguration").path("Enabled").asBoolean(false)) {
      throw FirehoseException.invalid("%s.DataFormatConversionConfiguration is not supported by the Freshet service yet",
          member);
    }
    String backupMode = config.path("S3BackupMode").asText("Disabled");
    if (!backupMode.equals("Disabled")) {
      throw FirehoseException.invalid("%s.S3BackupMode %s is not supported; use Disabled", member, backupMode);
    }
    boolean dynamic = config.path("DynamicPartitioningConfiguration").path("Enabled").asBoolean(false);
    String prefix = config.path("Prefix").asText("");
    if (!dynamic && prefix.contains("!{partitionKeyFrom")) {
      throw FirehoseException.invalid("%s.Prefix uses partition keys (%s), but DynamicPartitioningConfiguration is not "
          + "enabled", member, prefix);
    }
    return write;
  }

  private static FirehoseDelivery.Write prefixes(FirehoseDelivery.Write write, JsonNode config, String member) {
    if (config.hasNonNull("Prefix") && !config.get("Prefix").asText().isEmpty()) {
      write = write.withPrefix(config.get("Prefix").asText());
    }
    if (config.hasNonNull("ErrorOutputPrefix") && !config.get("ErrorOutputPrefix").asText().isEmpty()) {
      write = write.withErrorOutputPrefix(config.get("ErrorOutputPrefix").asText());
    }
    return write;
  }

  private static FirehoseDelivery.Write bufferAndCompression(FirehoseDelivery.Write write, JsonNode config,
      String member) {
    JsonNode hints = config.path("BufferingHints");
    if (hints.has("SizeInMBs")) {
      write = write.withBufferSize(integer(hints, "SizeInMBs", member + ".BufferingHints"));
    }
    if (hints.has("IntervalInSeconds")) {
      write = write.withBufferInterval(Duration.standardSeconds(integer(hints, "IntervalInSeconds",
          member + ".BufferingHints")));
    }
    if (config.hasNonNull("CompressionFormat")) {
      write = write.withCompression(compression(config.get("CompressionFormat").asText(), member));
    }
    return write;
  }

  /** The service's names: UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY. */
  static CompressionFormat compression(String name, String member) {
    return switch (name) {
      case "UNCOMPRESSED" -> CompressionFormat.UNCOMPRESSED;
      case "GZIP" -> CompressionFormat.GZIP;
      case "ZIP" -> CompressionFormat.ZIP;
      case "Snappy" -> CompressionFormat.SNAPPY;
      case "HADOOP_SNAPPY" -> CompressionFormat.HADOOP_SNAPPY;
      default -> throw FirehoseException.invalid(
          "%s.CompressionFormat must be one of UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY, but was: %s", member, name);
    };
  }

  private static FirehoseDelivery.Write processing(FirehoseDelivery.Write write, JsonNode config, String member,
      Transformers transformers) {
    JsonNode processing = config.path("ProcessingConfiguration");
    if (!processing.path("Enabled").asBoolean(false)) {
      return write;
    }
    String at = member + ".ProcessingConfiguration.Processors";
    for (JsonNode processor : processing.path("Processors")) {
      String type = processor.path("Type").asText();
      Map<String, String> parameters = new LinkedHashMap<>();
      for (JsonNode parameter : processor.path("Parameters")) {
        parameters.put(parameter.path("ParameterName").asText(), parameter.path("ParameterValue").asText());
      }
      switch (type) {
        case "AppendDelimiterToRecord" -> write = write.withAppendDelimiter(true);
        case "MetadataExtraction" -> {
          String engine = parameters.getOrDefault("JsonParsingEngine", "JQ-1.6");
          if (!engine.equals("JQ-1.6")) {
            throw FirehoseException.invalid("%s: MetadataExtraction JsonParsingEngine must be JQ-1.6, but was: %s", at,
                engine);
          }
          String query = parameters.get("MetadataExtractionQuery");
          if (query == null) {
            throw FirehoseException.invalid("%s: MetadataExtraction needs the parameter MetadataExtractionQuery", at);
          }
          for (Map.Entry<String, String> key : MetadataQuery.parse(query, at).entrySet()) {
            write = write.withPartitionKeyFromQuery(key.getKey(), key.getValue());
          }
        }
        case "Lambda" -> {
          String arn = parameters.get("LambdaArn");
          if (arn == null) {
            throw FirehoseException.invalid("%s: Lambda needs the parameter LambdaArn", at);
          }
          RecordTransformer transformer = transformers.lookup(arn);
          write = write.withRecordTransformer(transformer);
          if (parameters.containsKey("NumberOfRetries")) {
            int retries;
            try {
              retries = Integer.parseInt(parameters.get("NumberOfRetries"));
            } catch (NumberFormatException e) {
              throw FirehoseException.invalid("%s: Lambda NumberOfRetries must be a number, but was: %s", at,
                  parameters.get("NumberOfRetries"));
            }
            write = write.withTransformationRetries(retries, Duration.standardSeconds(300));
          }
        }
        default -> throw FirehoseException.invalid("%s: processor type %s is not supported (supported: Lambda, "
            + "MetadataExtraction, AppendDelimiterToRecord)", at, type);
      }
    }
    return write;
  }

  private static Duration retryDuration(JsonNode config, int defaultSeconds, String member) {
    JsonNode retry = config.path("RetryOptions");
    if (!retry.has("DurationInSeconds")) {
      return Duration.standardSeconds(defaultSeconds);
    }
    return Duration.standardSeconds(integer(retry, "DurationInSeconds", member + ".RetryOptions"));
  }

  /** {@code arn:aws:s3:::NAME} → NAME, checked against S3's bucket naming rules. */
  static String bucketName(String arn, String member) {
    String prefix = "arn:aws:s3:::";
    String name = arn.startsWith(prefix) ? arn.substring(prefix.length()) : null;
    if (name == null || !name.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
      throw FirehoseException.invalid("%s.BucketARN must be arn:aws:s3:::NAME with a valid bucket name "
          + "(3-63 lower-case letters, digits, '.' and '-'), but was: %s", member, arn);
    }
    return name;
  }

  private static String bucketArn(JsonNode config, String member) {
    String arn = text(config, "BucketARN", member);
    bucketName(arn, member);
    return arn;
  }

  private static ObjectNode object(JsonNode config, String field, String member) {
    JsonNode node = config.get(field);
    if (node == null || !node.isObject()) {
      throw FirehoseException.invalid("%s.%s is required", member, field);
    }
    return (ObjectNode) node;
  }

  private static String text(JsonNode config, String field, String member) {
    JsonNode node = config.get(field);
    if (node == null || !node.isTextual() || node.asText().isEmpty()) {
      throw FirehoseException.invalid("%s.%s is required", member, field);
    }
    return node.asText();
  }

  private static int integer(JsonNode config, String field, String member) {
    JsonNode node = config.get(field);
    if (node == null || !node.canConvertToInt()) {
      throw FirehoseException.invalid("%s.%s must be a number, but was: %s", member, field, node);
    }
    return node.asInt();
  }

  private static URI uri(String text, String member) {
    try {
      URI uri = URI.create(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
        throw FirehoseException.invalid("%s must be an http or https URL, but was: %s", member, text);
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw FirehoseException.invalid("%s is not a URL: %s", member, text);
    }
  }

  /** Redshift's CopyOptions text, as far as PostgreSQL's COPY can follow it. */
  static final class CopyCommands {
    private CopyCommands() {}

    static CopyOptions parse(String text, String member) {
      String options = text.trim();
      String upper = options.toUpperCase(Locale.ROOT);
      CopyOptions copy;
      if (upper.startsWith("JSON")) {
        String mode = quoted(options.substring(4).trim(), member);
        copy = switch (mode.toLowerCase(Locale.ROOT)) {
          case "auto" -> CopyOptions.jsonAuto();
          case "auto ignorecase" -> CopyOptions.jsonAutoIgnoreCase();
          default -> throw FirehoseException.invalid("%s: JSON '%s' is not supported (supported: JSON 'auto', "
              + "JSON 'auto ignorecase')", member, mode);
        };
        return copy;
      }
      copy = upper.matches("(^|.*\\s)CSV(\\s.*|$)") ? CopyOptions.csv() : CopyOptions.text();
      java.util.regex.Matcher delimiter = java.util.regex.Pattern
          .compile("(?i)DELIMITER\\s+(?:AS\\s+)?'(.)'").matcher(options);
      if (delimiter.find()) {
        copy = copy.withDelimiter(delimiter.group(1).charAt(0));
      }
      java.util.regex.Matcher quote = java.util.regex.Pattern.compile("(?i)QUOTE\\s+(?:AS\\s+)?'(.)'").matcher(options);
      if (quote.find()) {
        copy = copy.withQuote(quote.group(1).charAt(0));
      }
      java.util.regex.Matcher nullAs = java.util.regex.Pattern.compile("(?i)NULL\\s+AS\\s+'([^']*)'").matcher(options);
      if (nullAs.find()) {
        copy = copy.withNullAs(nullAs.group(1));
      }
      return copy;
    }

    private static String quoted(String text, String member) {
      if (text.length() < 2 || text.charAt(0) != '\'' || text.charAt(text.length() - 1) != '\'') {
        throw FirehoseException.invalid("%s: JSON needs a quoted argument such as 'auto', but was: %s", member, text);
      }
      return text.substring(1, text.length() - 1);
    }
  }
}
