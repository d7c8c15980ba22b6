package dev.freshet.kinesis.firehose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One delivery stream's configuration as stored in {@code <data-dir>/firehose/streams/NAME.json}
 * (its destination kept in the service's JSON shape, secrets included), and its status, which is
 * not stored: a stream is CREATING until its delivery thread can read its source, then ACTIVE.
 */
final class DeliveryStream {
  static final String DESTINATION_ID = "destinationId-000000000001";
  private static final ObjectMapper JSON = new ObjectMapper();

  final String name;
  final String arn;
  /** DirectPut or KinesisStreamAsSource. */
  final String type;
  /** For KinesisStreamAsSource: KinesisStreamARN and RoleARN. */
  final @Nullable ObjectNode source;
  final long createTimestamp;
  DeliverySpecs.Kind kind;
  ObjectNode destination;
  int versionId;
  long lastUpdateTimestamp;
  final TreeMap<String, String> tags = new TreeMap<>();
  /** KeyType, KeyARN and Status (ENABLED or DISABLED), or null if never enabled. */
  @Nullable ObjectNode encryption;
  volatile String status = "CREATING";
  @Nullable DeliveryWorker worker;
  /** Deliveries since the server started (across destination updates). */
  final DeliveryStats stats = new DeliveryStats();

  DeliveryStream(String name, String arn, String type, @Nullable ObjectNode source, long createTimestamp,
      DeliverySpecs.Kind kind, ObjectNode destination) {
    this.name = name;
    this.arn = arn;
    this.type = type;
    this.source = source;
    this.createTimestamp = createTimestamp;
    this.lastUpdateTimestamp = createTimestamp;
    this.kind = kind;
    this.destination = destination;
    this.versionId = 1;
  }

  boolean directPut() {
    return type.equals("DirectPut");
  }

  boolean encrypted() {
    return encryption != null && encryption.path("Status").asText().equals("ENABLED");
  }

  /** The internal stream that holds a DirectPut stream's records until they are delivered. */
  static String internalStream(String name) {
    return "__firehose-" + name;
  }

  /** The Kinesis stream name in a KinesisStreamARN ({@code arn:aws:kinesis:REGION:ACCOUNT:stream/NAME}). */
  static String kinesisStreamName(String arn) {
    int slash = arn.indexOf(":stream/");
    if (!arn.startsWith("arn:") || slash < 0 || slash + 8 >= arn.length()) {
      throw FirehoseException.invalid("KinesisStreamSourceConfiguration.KinesisStreamARN must be "
          + "arn:aws:kinesis:REGION:ACCOUNT:stream/NAME, but was: %s", arn);
    }
    return arn.substring(slash + 8);
  }

  /** The stream the delivery reads. */
  String sourceStream() {
    return directPut() ? internalStream(name) : kinesisStreamName(source.path("KinesisStreamARN").asText());
  }

  ObjectNode toJson() {
    ObjectNode node = JSON.createObjectNode();
    node.put("DeliveryStreamName", name);
    node.put("DeliveryStreamARN", arn);
    node.put("DeliveryStreamType", type);
    if (source != null) {
      node.set("Source", source);
    }
    node.put("CreateTimestamp", createTimestamp);
    node.put("LastUpdateTimestamp", lastUpdateTimestamp);
    node.put("VersionId", versionId);
    node.put("Kind", kind.stem);
    node.set("Destination", destination);
    ObjectNode tagNode = node.putObject("Tags");
    tags.forEach(tagNode::put);
    if (encryption != null) {
      node.set("Encryption", encryption);
    }
    return node;
  }

  static DeliveryStream fromJson(JsonNode node) {
    DeliveryStream stream = new DeliveryStream(node.get("DeliveryStreamName").asText(),
        node.get("DeliveryStreamARN").asText(), node.get("DeliveryStreamType").asText(),
        node.hasNonNull("Source") ? (ObjectNode) node.get("Source") : null, node.get("CreateTimestamp").asLong(),
        DeliverySpecs.Kind.of(node.get("Kind").asText()), (ObjectNode) node.get("Destination"));
    stream.versionId = node.get("VersionId").asInt();
    stream.lastUpdateTimestamp = node.get("LastUpdateTimestamp").asLong();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.path("Tags").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> tag = it.next();
      stream.tags.put(tag.getKey(), tag.getValue().asText());
    }
    if (node.hasNonNull("Encryption")) {
      stream.encryption = (ObjectNode) node.get("Encryption");
    }
    return stream;
  }

  /** Writes the configuration atomically (temporary file, forced, renamed). */
  void save(Path folder) throws IOException {
    Files.createDirectories(folder);
    Path file = folder.resolve(name + ".json");
    Path temp = folder.resolve("." + name + ".json.tmp");
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING); OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
      out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson()));
      out.flush();
      channel.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The DeliveryStreamDescription of DescribeDeliveryStream, without secrets. */
  ObjectNode describe() {
    ObjectNode d = JSON.createObjectNode();
    d.put("DeliveryStreamName", name);
    d.put("DeliveryStreamARN", arn);
    d.put("DeliveryStreamStatus", status);
    d.put("DeliveryStreamType", type);
    d.put("VersionId", Integer.toString(versionId));
    d.put("CreateTimestamp", createTimestamp / 1000.0);
    d.put("LastUpdateTimestamp", lastUpdateTimestamp / 1000.0);
    ObjectNode enc = d.putObject("DeliveryStreamEncryptionConfiguration");
    if (encryption == null) {
      enc.put("Status", "DISABLED");
    } else {
      enc.setAll(encryption);
    }
    if (source != null) {
      ObjectNode kinesis = d.putObject("Source").putObject("KinesisStreamSourceDescription");
      kinesis.setAll(source);
      kinesis.put("DeliveryStartTimestamp", createTimestamp / 1000.0);
    }
    ArrayNode destinations = d.putArray("Destinations");
    ObjectNode entry = destinations.addObject();
    entry.put("DestinationId", DESTINATION_ID);
    ObjectNode description = destination.deepCopy();
    switch (kind) {
      case EXTENDED_S3 -> {
        withDefaults(description);
        description.putIfAbsent("S3BackupMode", JSON.getNodeFactory().textNode("Disabled"));
        entry.set(kind.descriptionMember(), description);
        ObjectNode s3 = JSON.createObjectNode();
        for (String field : new String[] {"RoleARN", "BucketARN", "Prefix", "ErrorOutputPrefix", "BufferingHints",
            "CompressionFormat", "EncryptionConfiguration", "CloudWatchLoggingOptions"}) {
          if (description.has(field)) {
            s3.set(field, description.get(field));
          }
        }
        entry.set("S3DestinationDescription", s3);
      }
      case HTTP_ENDPOINT -> {
        ((ObjectNode) description.path("EndpointConfiguration")).remove("AccessKey");
        description.putIfAbsent("S3BackupMode", JSON.getNodeFactory().textNode("FailedDataOnly"));
        s3Description(description);
        withHints(description);
        entry.set(kind.descriptionMember(), description);
      }
      case REDSHIFT -> {
        description.remove("Password");
        s3Description(description);
        entry.set(kind.descriptionMember(), description);
      }
      default -> throw new AssertionError(kind);
    }
    d.put("HasMoreDestinations", false);
    return d;
  }

  private static void s3Description(ObjectNode description) {
    JsonNode s3 = description.remove("S3Configuration");
    if (s3 instanceof ObjectNode s3Object) {
      withDefaults(s3Object);
      description.set("S3DestinationDescription", s3Object);
    }
  }

  private static void withDefaults(ObjectNode s3) {
    withHints(s3);
    s3.putIfAbsent("CompressionFormat", JSON.getNodeFactory().textNode("UNCOMPRESSED"));
    if (!s3.has("EncryptionConfiguration")) {
      s3.putObject("EncryptionConfiguration").put("NoEncryptionConfig", "NoEncryption");
    }
  }

  private static void withHints(ObjectNode config) {
    ObjectNode hints = config.has("BufferingHints") ? (ObjectNode) config.get("BufferingHints")
        : config.putObject("BufferingHints");
    hints.putIfAbsent("SizeInMBs", JSON.getNodeFactory().numberNode(5));
    hints.putIfAbsent("IntervalInSeconds", JSON.getNodeFactory().numberNode(300));
  }
}
