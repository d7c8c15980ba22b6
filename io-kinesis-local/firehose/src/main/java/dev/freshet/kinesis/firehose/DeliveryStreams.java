package dev.freshet.kinesis.firehose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.kinesis.crypto.LocalKeyStore;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.EncryptionType;
import dev.freshet.sdk.stream.PutRecordResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.PutRecordsResultEntry;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.errors.KmsNotFoundException;
import dev.freshet.sdk.stream.errors.ResourceInUseException;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import dev.freshet.sdk.stream.errors.StreamException;
import dev.freshet.transforms.firehose.FirehoseDelivery;
import dev.freshet.transforms.firehose.FirehoseDestination;
import dev.freshet.transforms.firehose.FirehoseRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery streams of one service and the operations on them. Operations are serialized on
 * this object (configuration changes are rare); puts only read the registry. Every check runs
 * before anything is written, so a refused request changes nothing.
 */
final class DeliveryStreams {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryStreams.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_DELIVERY_STREAMS = 50;
  static final int MAX_BATCH_RECORDS = 500;
  static final long MAX_BATCH_BYTES = 4L << 20;
  static final int MAX_TAGS = 50;

  private final FirehoseServiceConfig config;
  private final StreamClient store;
  private final Optional<S3Server> s3;
  private final Transformers transformers;
  private final Path configFolder;
  private final Path checkpointFolder;
  private final Map<String, DeliveryStream> streams = new TreeMap<>();

  DeliveryStreams(FirehoseServiceConfig config, StreamClient store, Optional<S3Server> s3,
      Transformers transformers) {
    this.config = config;
    this.store = store;
    this.s3 = s3;
    this.transformers = transformers;
    this.configFolder = config.firehoseDir().resolve("streams");
    this.checkpointFolder = config.firehoseDir().resolve("checkpoints");
  }

  /** Loads the stored streams and starts their deliveries. */
  synchronized void load() throws IOException {
    Files.createDirectories(configFolder);
    Files.createDirectories(checkpointFolder);
    try (Stream<Path> files = Files.list(configFolder)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")
          && !f.getFileName().toString().startsWith(".")).sorted().toList()) {
        DeliveryStream stream = DeliveryStream.fromJson(JSON.readTree(file.toFile()));
        streams.put(stream.name, stream);
        start(stream, spec(stream, stream.kind, stream.destination));
      }
    }
    if (!streams.isEmpty()) {
      LOG.info("Firehose: resumed {} delivery streams: {}", streams.size(), streams.keySet());
    }
  }

  // ---- operations ----

  synchronized ObjectNode create(ObjectNode request) {
    String name = name(request);
    if (streams.containsKey(name)) {
      throw new FirehoseException(FirehoseException.RESOURCE_IN_USE,
          "Firehose " + name + " under accountId " + config.account() + " already exists");
    }
    if (streams.size() >= MAX_DELIVERY_STREAMS) {
      throw new FirehoseException(FirehoseException.LIMIT_EXCEEDED, "You have already consumed your firehose quota of "
          + MAX_DELIVERY_STREAMS + " delivery streams");
    }
    String type = request.path("DeliveryStreamType").asText("DirectPut");
    ObjectNode source = null;
    if (type.equals("KinesisStreamAsSource")) {
      JsonNode sourceConfig = request.get("KinesisStreamSourceConfiguration");
      if (sourceConfig == null || !sourceConfig.hasNonNull("KinesisStreamARN")) {
        throw FirehoseException.invalid("KinesisStreamSourceConfiguration.KinesisStreamARN is required for "
            + "DeliveryStreamType KinesisStreamAsSource");
      }
      source = ((ObjectNode) sourceConfig).deepCopy();
      String streamName = DeliveryStream.kinesisStreamName(source.get("KinesisStreamARN").asText());
      try {
        store.describeStreamSummary(streamName);
      } catch (ResourceNotFoundException e) {
        throw FirehoseException.invalid("KinesisStreamSourceConfiguration.KinesisStreamARN names stream %s, which "
            + "does not exist", streamName);
      }
    } else if (!type.equals("DirectPut")) {
      throw FirehoseException.invalid("DeliveryStreamType must be DirectPut or KinesisStreamAsSource, but was: %s",
          type);
    } else if (request.has("KinesisStreamSourceConfiguration")) {
      throw FirehoseException.invalid("KinesisStreamSourceConfiguration needs DeliveryStreamType KinesisStreamAsSource");
    }
    DeliverySpecs.Kind kind = null;
    ObjectNode destination = null;
    for (DeliverySpecs.Kind candidate : DeliverySpecs.Kind.values()) {
      if (request.get(candidate.configurationMember()) instanceof ObjectNode node) {
        if (kind != null) {
          throw FirehoseException.invalid("Only one destination configuration can be given, but there are %s and %s",
              kind.configurationMember(), candidate.configurationMember());
        }
        kind = candidate;
        destination = node.deepCopy();
      }
    }
    if (kind == null && request.get("S3DestinationConfiguration") instanceof ObjectNode s3Config) {
      kind = DeliverySpecs.Kind.EXTENDED_S3;
      destination = s3Config.deepCopy();
    }
    if (kind == null) {
      throw FirehoseException.invalid("A destination configuration is required: ExtendedS3DestinationConfiguration, "
          + "HttpEndpointDestinationConfiguration or RedshiftDestinationConfiguration (the others are not supported "
          + "by Freshet)");
    }
    String arn = "arn:aws:firehose:" + config.region() + ":" + config.account() + ":deliverystream/" + name;
    DeliveryStream stream = new DeliveryStream(name, arn, type, source, System.currentTimeMillis(), kind, destination);
    stream.tags.putAll(tags(request.path("Tags"), new TreeMap<>()));
    JsonNode encryption = request.get("DeliveryStreamEncryptionConfigurationInput");
    if (encryption != null) {
      if (!stream.directPut()) {
        throw FirehoseException.invalid("Encryption can only be enabled for DirectPut delivery streams");
      }
      stream.encryption = encryption(encryption, "ENABLED");
    }
    FirehoseDelivery.Write spec = spec(stream, kind, destination);
    try {
      if (stream.directPut()) {
        createInternalStream(name);
        applyEncryption(stream);
      }
      save(stream);
    } catch (RuntimeException e) {
      if (stream.directPut()) {
        deleteInternalStream(name);
      }
      throw e;
    }
    streams.put(name, stream);
    start(stream, spec);
    LOG.info("Firehose: created delivery stream {} ({} to {})", name, type, kind.stem);
    ObjectNode response = JSON.createObjectNode();
    response.put("DeliveryStreamARN", arn);
    return response;
  }

  synchronized ObjectNode describe(ObjectNode request) {
    DeliveryStream stream = existing(request);
    ObjectNode response = JSON.createObjectNode();
    response.set("DeliveryStreamDescription", stream.describe());
    return response;
  }

  /**
   * Every delivery stream's description (as DescribeDeliveryStream gives it) with its source
   * stream and its delivery counters under {@code Delivery}, by name.
   */
  synchronized ArrayNode status() {
    ArrayNode all = JSON.createArrayNode();
    for (DeliveryStream stream : streams.values()) {
      ObjectNode node = stream.describe();
      node.put("SourceStream", stream.sourceStream());
      node.set("Delivery", stream.stats.toJson());
      all.add(node);
    }
    return all;
  }

  synchronized ObjectNode list(ObjectNode request) {
    int limit = request.path("Limit").asInt(10);
    if (limit < 1 || limit > 10_000) {
      throw FirehoseException.invalid("Limit must be between 1 and 10000, but was: %s", limit);
    }
    String type = request.path("DeliveryStreamType").asText(null);
    String after = request.path("ExclusiveStartDeliveryStreamName").asText(null);
    List<String> names = new ArrayList<>();
    boolean more = false;
    for (DeliveryStream stream : streams.values()) {
      if ((type != null && !stream.type.equals(type)) || (after != null && stream.name.compareTo(after) <= 0)) {
        continue;
      }
      if (names.size() == limit) {
        more = true;
        break;
      }
      names.add(stream.name);
    }
    ObjectNode response = JSON.createObjectNode();
    ArrayNode array = response.putArray("DeliveryStreamNames");
    names.forEach(array::add);
    response.put("HasMoreDeliveryStreams", more);
    return response;
  }

  synchronized ObjectNode delete(ObjectNode request) {
    DeliveryStream stream = existing(request);
    stream.status = "DELETING";
    stopWorker(stream);
    try {
      Files.deleteIfExists(configFolder.resolve(stream.name + ".json"));
      Files.deleteIfExists(checkpointFolder.resolve(stream.name + ".json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (stream.directPut()) {
      deleteInternalStream(stream.name);
    }
    streams.remove(stream.name);
    LOG.info("Firehose: deleted delivery stream {}", stream.name);
    return JSON.createObjectNode();
  }

  ObjectNode putRecord(ObjectNode request) {
    DeliveryStream stream = forPut(request);
    JsonNode record = request.get("Record");
    if (record == null || !record.isObject()) {
      throw FirehoseException.invalid("Record is required");
    }
    byte[] data = data(record, "Record.Data");
    PutRecordResult result;
    try {
      result = store.putRecord(DeliveryStream.internalStream(stream.name),
          PutRecordsEntry.of(UUID.randomUUID().toString(), data), null);
    } catch (StreamException e) {
      throw unavailable(e);
    }
    wake(stream);
    ObjectNode response = JSON.createObjectNode();
    response.put("RecordId", result.sequenceNumber());
    // What the store did with the record, not what the configuration says.
    response.put("Encrypted", result.encryptionType() == EncryptionType.KMS);
    return response;
  }

  ObjectNode putRecordBatch(ObjectNode request) {
    DeliveryStream stream = forPut(request);
    JsonNode records = request.get("Records");
    if (records == null || !records.isArray() || records.isEmpty()) {
      throw FirehoseException.invalid("Records must hold 1 to %s records", MAX_BATCH_RECORDS);
    }
    if (records.size() > MAX_BATCH_RECORDS) {
      throw FirehoseException.invalid("Records must hold at most %s records, but held %s", MAX_BATCH_RECORDS,
          records.size());
    }
    List<PutRecordsEntry> entries = new ArrayList<>(records.size());
    long bytes = 0;
    for (int i = 0; i < records.size(); i++) {
      byte[] data = data(records.get(i), "Records." + (i + 1) + ".member.Data");
      bytes += data.length;
      entries.add(PutRecordsEntry.of(UUID.randomUUID().toString(), data));
    }
    if (bytes > MAX_BATCH_BYTES) {
      throw FirehoseException.invalid("Records must hold at most 4 MiB of data, but held %s bytes", bytes);
    }
    PutRecordsResult result;
    try {
      result = store.putRecords(DeliveryStream.internalStream(stream.name), entries);
    } catch (StreamException e) {
      throw unavailable(e);
    }
    wake(stream);
    ObjectNode response = JSON.createObjectNode();
    ArrayNode responses = response.putArray("RequestResponses");
    int failed = 0;
    for (PutRecordsResultEntry entry : result.records()) {
      ObjectNode out = responses.addObject();
      if (entry.errorCode() == null) {
        out.put("RecordId", entry.sequenceNumber());
      } else {
        failed++;
        out.put("ErrorCode", "ServiceUnavailableException");
        out.put("ErrorMessage", "Slow down. " + entry.errorMessage());
      }
    }
    response.put("FailedPutCount", failed);
    response.put("Encrypted", result.encryptionType() == EncryptionType.KMS);
    return response;
  }

  synchronized ObjectNode updateDestination(ObjectNode request) {
    DeliveryStream stream = existing(request);
    String version = request.path("CurrentDeliveryStreamVersionId").asText(null);
    if (version == null) {
      throw FirehoseException.invalid("CurrentDeliveryStreamVersionId is required");
    }
    if (!version.equals(Integer.toString(stream.versionId))) {
      throw new FirehoseException(FirehoseException.CONCURRENT_MODIFICATION, "Cannot update firehose " + stream.name
          + ": CurrentDeliveryStreamVersionId " + version + " is not the current version " + stream.versionId);
    }
    String destinationId = request.path("DestinationId").asText(null);
    if (!DeliveryStream.DESTINATION_ID.equals(destinationId)) {
      throw FirehoseException.invalid("DestinationId %s does not exist in firehose %s (its destination is %s)",
          destinationId, stream.name, DeliveryStream.DESTINATION_ID);
    }
    if (!stream.status.equals("ACTIVE")) {
      throw new FirehoseException(FirehoseException.RESOURCE_IN_USE,
          "Firehose " + stream.name + " is not ACTIVE (it is " + stream.status + ")");
    }
    DeliverySpecs.Kind kind = null;
    ObjectNode update = null;
    for (DeliverySpecs.Kind candidate : DeliverySpecs.Kind.values()) {
      if (request.get(candidate.updateMember()) instanceof ObjectNode node) {
        if (kind != null) {
          throw FirehoseException.invalid("Only one destination update can be given");
        }
        kind = candidate;
        update = node;
      }
    }
    if (kind == null && request.get("S3DestinationUpdate") instanceof ObjectNode s3Update) {
      kind = DeliverySpecs.Kind.EXTENDED_S3;
      update = s3Update;
    }
    if (kind == null) {
      throw FirehoseException.invalid("A destination update is required: ExtendedS3DestinationUpdate, "
          + "HttpEndpointDestinationUpdate or RedshiftDestinationUpdate");
    }
    ObjectNode merged = kind == stream.kind ? stream.destination.deepCopy() : JSON.createObjectNode();
    merge(merged, update);
    FirehoseDelivery.Write spec = spec(stream, kind, merged, stream.versionId + 1);
    DeliverySpecs.Kind oldKind = stream.kind;
    ObjectNode oldDestination = stream.destination;
    stream.kind = kind;
    stream.destination = merged;
    stream.versionId++;
    stream.lastUpdateTimestamp = System.currentTimeMillis();
    try {
      save(stream);
    } catch (RuntimeException e) {
      stream.kind = oldKind;
      stream.destination = oldDestination;
      stream.versionId--;
      throw e;
    }
    stopWorker(stream);
    start(stream, spec);
    return JSON.createObjectNode();
  }

  synchronized ObjectNode encryption(ObjectNode request, boolean enable) {
    DeliveryStream stream = existing(request);
    if (!stream.directPut()) {
      throw FirehoseException.invalid("Encryption can only be started or stopped for DirectPut delivery streams; %s "
          + "reads %s", stream.name, stream.sourceStream());
    }
    ObjectNode previous = stream.encryption;
    if (enable) {
      stream.encryption = encryption(request.path("DeliveryStreamEncryptionConfigurationInput"), "ENABLED");
    } else if (stream.encryption != null) {
      stream.encryption = stream.encryption.deepCopy().put("Status", "DISABLED");
    }
    try {
      applyEncryption(stream);
    } catch (RuntimeException e) {
      stream.encryption = previous;
      throw e;
    }
    try {
      save(stream);
    } catch (RuntimeException e) {
      stream.encryption = previous;
      applyEncryption(stream);
      throw e;
    }
    return JSON.createObjectNode();
  }

  /**
   * Encrypts (or stops encrypting) the records a DirectPut stream holds until they are delivered:
   * they sit in its internal stream, so that stream is encrypted at rest with the store's own
   * encryption (AES-GCM per record, keys in the store's key store). {@code AWS_OWNED_CMK} uses the
   * store's AWS-managed key ({@value LocalKeyStore#AWS_MANAGED_KEY_ID}, created on first use), and
   * {@code CUSTOMER_MANAGED_CMK} the key named by its {@code KeyARN}, which must exist in the key
   * store. Records already buffered keep the form they were written in, as with Kinesis.
   */
  private void applyEncryption(DeliveryStream stream) {
    String internal = DeliveryStream.internalStream(stream.name);
    try {
      if (stream.encrypted()) {
        String keyId = stream.encryption.hasNonNull("KeyARN") ? stream.encryption.get("KeyARN").asText()
            : LocalKeyStore.AWS_MANAGED_KEY_ID;
        store.startStreamEncryption(internal, keyId);
      } else if (stream.encryption != null) {
        store.stopStreamEncryption(internal);
      }
    } catch (KmsNotFoundException e) {
      throw new FirehoseException(FirehoseException.INVALID_KMS_RESOURCE, String.format(
          "The KMS key %s of delivery stream %s is not in the local key store: %s",
          stream.encryption.path("KeyARN").asText(), stream.name, e.getMessage()));
    }
  }

  synchronized ObjectNode tag(ObjectNode request) {
    DeliveryStream stream = existing(request);
    JsonNode tags = request.get("Tags");
    if (tags == null || !tags.isArray() || tags.isEmpty()) {
      throw FirehoseException.invalid("Tags must hold 1 to %s tags", MAX_TAGS);
    }
    TreeMap<String, String> merged = tags(tags, new TreeMap<>(stream.tags));
    if (merged.size() > MAX_TAGS) {
      throw new FirehoseException(FirehoseException.LIMIT_EXCEEDED, "A delivery stream can have at most " + MAX_TAGS
          + " tags, but " + stream.name + " would have " + merged.size());
    }
    TreeMap<String, String> previous = new TreeMap<>(stream.tags);
    stream.tags.putAll(merged);
    saveOrRestoreTags(stream, previous);
    return JSON.createObjectNode();
  }

  synchronized ObjectNode untag(ObjectNode request) {
    DeliveryStream stream = existing(request);
    JsonNode keys = request.get("TagKeys");
    if (keys == null || !keys.isArray() || keys.isEmpty()) {
      throw FirehoseException.invalid("TagKeys must hold 1 to %s keys", MAX_TAGS);
    }
    TreeMap<String, String> previous = new TreeMap<>(stream.tags);
    keys.forEach(key -> stream.tags.remove(key.asText()));
    saveOrRestoreTags(stream, previous);
    return JSON.createObjectNode();
  }

  synchronized ObjectNode listTags(ObjectNode request) {
    DeliveryStream stream = existing(request);
    int limit = request.path("Limit").asInt(50);
    if (limit < 1 || limit > 50) {
      throw FirehoseException.invalid("Limit must be between 1 and 50, but was: %s", limit);
    }
    String after = request.path("ExclusiveStartTagKey").asText(null);
    ObjectNode response = JSON.createObjectNode();
    ArrayNode tags = response.putArray("Tags");
    boolean more = false;
    for (Map.Entry<String, String> tag : stream.tags.entrySet()) {
      if (after != null && tag.getKey().compareTo(after) <= 0) {
        continue;
      }
      if (tags.size() == limit) {
        more = true;
        break;
      }
      tags.addObject().put("Key", tag.getKey()).put("Value", tag.getValue());
    }
    response.put("HasMoreTags", more);
    return response;
  }

  // ---- helpers ----

  private void saveOrRestoreTags(DeliveryStream stream, TreeMap<String, String> previous) {
    try {
      save(stream);
    } catch (RuntimeException e) {
      stream.tags.clear();
      stream.tags.putAll(previous);
      throw e;
    }
  }

  private static TreeMap<String, String> tags(JsonNode tags, TreeMap<String, String> into) {
    for (JsonNode tag : tags) {
      String key = tag.path("Key").asText("");
      if (key.isEmpty() || key.length() > 128 || key.startsWith("aws:")) {
        throw FirehoseException.invalid("Tag keys must be 1 to 128 characters and not start with aws:, but was: %s",
            key);
      }
      String value = tag.path("Value").asText("");
      if (value.length() > 256) {
        throw FirehoseException.invalid("Tag values must be at most 256 characters; the value of %s has %s", key,
            value.length());
      }
      into.put(key, value);
    }
    return into;
  }

  private static ObjectNode encryption(JsonNode input, String status) {
    String keyType = input.path("KeyType").asText("AWS_OWNED_CMK");
    if (!keyType.equals("AWS_OWNED_CMK") && !keyType.equals("CUSTOMER_MANAGED_CMK")) {
      throw FirehoseException.invalid("KeyType must be AWS_OWNED_CMK or CUSTOMER_MANAGED_CMK, but was: %s", keyType);
    }
    ObjectNode node = JSON.createObjectNode();
    if (keyType.equals("CUSTOMER_MANAGED_CMK")) {
      if (!input.hasNonNull("KeyARN")) {
        throw FirehoseException.invalid("KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK");
      }
      node.put("KeyARN", input.get("KeyARN").asText());
    } else if (input.hasNonNull("KeyARN")) {
      throw FirehoseException.invalid("KeyARN can only be given when KeyType is CUSTOMER_MANAGED_CMK");
    }
    node.put("KeyType", keyType);
    node.put("Status", status);
    return node;
  }

  /** Merges {@code update} into {@code target}: objects member by member, other values replaced. */
  private static void merge(ObjectNode target, JsonNode update) {
    for (Iterator<Map.Entry<String, JsonNode>> it = update.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getValue().isObject() && target.get(field.getKey()) instanceof ObjectNode existing) {
        merge(existing, field.getValue());
      } else {
        target.set(field.getKey(), field.getValue().deepCopy());
      }
    }
  }

  private static String name(ObjectNode request) {
    String name = request.path("DeliveryStreamName").asText(null);
    if (name == null || !name.matches("[a-zA-Z0-9_.-]{1,64}")) {
      throw FirehoseException.invalid("DeliveryStreamName must be 1 to 64 characters of letters, digits, '_', '.' "
          + "and '-', but was: %s", name);
    }
    return name;
  }

  private DeliveryStream existing(ObjectNode request) {
    String name = name(request);
    DeliveryStream stream = streams.get(name);
    if (stream == null) {
      throw FirehoseException.notFound(name, config.account());
    }
    return stream;
  }

  private synchronized DeliveryStream forPut(ObjectNode request) {
    DeliveryStream stream = existing(request);
    if (!stream.directPut()) {
      throw FirehoseException.invalid("This operation is not permitted on KinesisStreamAsSource delivery stream "
          + "type; put records into stream %s instead", stream.sourceStream());
    }
    if (!stream.status.equals("ACTIVE")) {
      throw new FirehoseException(FirehoseException.RESOURCE_IN_USE,
          "Firehose " + stream.name + " is not ACTIVE (it is " + stream.status + ")");
    }
    return stream;
  }

  private static byte[] data(JsonNode record, String member) {
    JsonNode data = record.get("Data");
    if (data == null || !data.isTextual()) {
      throw FirehoseException.invalid("%s is required (base64)", member);
    }
    byte[] bytes;
    try {
      bytes = data.binaryValue();
    } catch (IOException | IllegalArgumentException e) {
      throw FirehoseException.invalid("%s is not base64: %s", member, e.getMessage());
    }
    if (bytes.length > FirehoseRecord.MAX_DATA_BYTES) {
      throw FirehoseException.invalid("%s must be at most 1000 KiB, but was %s bytes", member, bytes.length);
    }
    return bytes;
  }

  private static FirehoseException unavailable(StreamException e) {
    return new FirehoseException(FirehoseException.SERVICE_UNAVAILABLE, "Slow down. " + e.getMessage());
  }

  private FirehoseDelivery.Write spec(DeliveryStream stream, DeliverySpecs.Kind kind, ObjectNode destination) {
    return spec(stream, kind, destination, stream.versionId);
  }

  private FirehoseDelivery.Write spec(DeliveryStream stream, DeliverySpecs.Kind kind, ObjectNode destination,
      int version) {
    return DeliverySpecs.build(stream.name, stream.arn, version, kind, destination, this::bucket, transformers);
  }

  /** An S3 destination: the configured S3 API (the bucket created there first), else files. */
  private FirehoseDestination bucket(String bucketArn) {
    String bucket = DeliverySpecs.bucketName(bucketArn, "BucketARN");
    if (s3.isPresent()) {
      return s3.get().destination(bucket, config.region());
    }
    if (config.s3Endpoint().isPresent()) {
      return dev.freshet.transforms.firehose.S3Destination.builder().setBucket(bucket)
          .setEndpoint(config.s3Endpoint().get()).setRegion(config.region()).setPathStyle(true).build();
    }
    return FirehoseDestination.localFiles(config.dataDir().resolve("s3").resolve(bucket));
  }

  private void start(DeliveryStream stream, FirehoseDelivery.Write spec) {
    Instant startAt = stream.directPut() ? null : Instant.ofEpochMilli(stream.createTimestamp);
    DeliveryWorker worker = new DeliveryWorker(stream.name, store, stream.sourceStream(), spec,
        checkpointFolder.resolve(stream.name + ".json"), startAt, () -> stream.status = "ACTIVE",
        stream.stats);
    stream.worker = worker;
    worker.start();
  }

  private static void stopWorker(DeliveryStream stream) {
    DeliveryWorker worker = stream.worker;
    stream.worker = null;
    if (worker != null) {
      try {
        worker.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while stopping the delivery of " + stream.name, e);
      }
    }
  }

  private static void wake(DeliveryStream stream) {
    DeliveryWorker worker = stream.worker;
    if (worker != null) {
      worker.wake();
    }
  }

  private void save(DeliveryStream stream) {
    try {
      stream.save(configFolder);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the configuration of delivery stream " + stream.name, e);
    }
  }

  private void createInternalStream(String name) {
    try {
      store.createStream(CreateStreamRequest.provisioned(DeliveryStream.internalStream(name), 1));
    } catch (ResourceInUseException e) {
      // Left from a stream whose configuration was lost; its records are delivered again.
      LOG.warn("Firehose: the internal stream of {} already exists; its records will be delivered", name);
    }
  }

  private void deleteInternalStream(String name) {
    try {
      store.deleteStream(DeliveryStream.internalStream(name), true);
    } catch (ResourceNotFoundException e) {
      // Already gone.
    }
  }

  synchronized void close() throws InterruptedException {
    for (DeliveryStream stream : streams.values()) {
      DeliveryWorker worker = stream.worker;
      stream.worker = null;
      if (worker != null) {
        worker.close();
      }
    }
  }
}
