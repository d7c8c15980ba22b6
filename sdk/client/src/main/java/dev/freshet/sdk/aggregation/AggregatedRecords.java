package dev.freshet.sdk.aggregation;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes and decodes the Kinesis Producer Library's aggregated records, so that records written by
 * the KPL elsewhere can be read here and aggregates written here can be read by the KCL.
 *
 * <p>The format (awslabs/amazon-kinesis-producer, {@code aggregation-format.md}) is the four magic
 * bytes {@code F3 89 9A C2}, then a protobuf {@code AggregatedRecord} message, then the 16-byte MD5
 * of that message:
 *
 * <pre>{@code
 * message AggregatedRecord {
 *   repeated string partition_key_table = 1;
 *   repeated string explicit_hash_key_table = 2;
 *   repeated Record records = 3;
 * }
 * message Record {
 *   required uint64 partition_key_index = 1;
 *   optional uint64 explicit_hash_key_index = 2;
 *   required bytes data = 3;
 *   repeated Tag tags = 4;   // read and ignored
 * }
 * }</pre>
 *
 * <p>Partition keys and explicit hash keys are stored once in their tables and referenced by index.
 * A stream record that does not start with the magic bytes, or whose checksum does not match, is an
 * ordinary record ({@link #isAggregated} is false), as in the KCL.
 */
public final class AggregatedRecords {
  /** The magic bytes that start an aggregated record. */
  private static final byte[] MAGIC = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};

  static final int DIGEST_BYTES = 16;

  /** The bytes an aggregate takes besides its protobuf message: magic and checksum. */
  static final int OVERHEAD_BYTES = MAGIC.length + DIGEST_BYTES;

  /** The largest stream record, and so the largest aggregate: 1 MiB. */
  public static final int MAX_RECORD_BYTES = 1 << 20;

  static final int PARTITION_KEY_TABLE = 1;
  static final int EXPLICIT_HASH_KEY_TABLE = 2;
  static final int RECORDS = 3;
  static final int PARTITION_KEY_INDEX = 1;
  static final int EXPLICIT_HASH_KEY_INDEX = 2;
  static final int DATA = 3;

  private AggregatedRecords() {}

  /** Whether {@code data} is an aggregate: it starts with the magic bytes and its MD5 trailer matches. */
  public static boolean isAggregated(byte[] data) {
    if (data == null || !hasMagic(data) || data.length < OVERHEAD_BYTES) {
      return false;
    }
    return checksumMatches(data);
  }

  /**
   * Packs {@code records}, in order, into one aggregate. The caller keeps it within {@link
   * #MAX_RECORD_BYTES} (see {@link Aggregator}) and puts it with the first record's partition key
   * and a hash key on the same shard as every record in it.
   *
   * @throws IllegalArgumentException if {@code records} is empty
   */
  public static byte[] encode(List<UserRecord> records) {
    checkArgument(records != null && !records.isEmpty(), "an aggregate needs at least one user record");
    Map<String, Integer> partitionKeys = new LinkedHashMap<>();
    Map<String, Integer> explicitHashKeys = new LinkedHashMap<>();
    for (UserRecord record : records) {
      partitionKeys.putIfAbsent(record.partitionKey(), partitionKeys.size());
      if (record.explicitHashKey() != null) {
        explicitHashKeys.putIfAbsent(record.explicitHashKey(), explicitHashKeys.size());
      }
    }
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    for (String key : partitionKeys.keySet()) {
      ProtoWire.writeBytes(message, PARTITION_KEY_TABLE, key.getBytes(StandardCharsets.UTF_8));
    }
    for (String key : explicitHashKeys.keySet()) {
      ProtoWire.writeBytes(message, EXPLICIT_HASH_KEY_TABLE, key.getBytes(StandardCharsets.UTF_8));
    }
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    for (UserRecord user : records) {
      record.reset();
      ProtoWire.writeTag(record, PARTITION_KEY_INDEX, ProtoWire.VARINT);
      ProtoWire.writeVarint(record, partitionKeys.get(user.partitionKey()));
      if (user.explicitHashKey() != null) {
        ProtoWire.writeTag(record, EXPLICIT_HASH_KEY_INDEX, ProtoWire.VARINT);
        ProtoWire.writeVarint(record, explicitHashKeys.get(user.explicitHashKey()));
      }
      ProtoWire.writeBytes(record, DATA, user.data());
      ProtoWire.writeBytes(message, RECORDS, record.toByteArray());
    }
    byte[] body = message.toByteArray();
    byte[] out = new byte[OVERHEAD_BYTES + body.length];
    System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
    System.arraycopy(body, 0, out, MAGIC.length, body.length);
    System.arraycopy(md5(body, 0, body.length), 0, out, MAGIC.length + body.length, DIGEST_BYTES);
    return out;
  }

  /**
   * The user records of an aggregate, in the order they were packed.
   *
   * @throws IllegalArgumentException naming what is wrong if {@code data} is not an intact
   *     aggregate: no magic, truncated, a checksum mismatch, a malformed message, or a key index
   *     outside its table
   */
  public static List<UserRecord> decode(byte[] data) {
    checkArgument(data != null, "data must not be null");
    if (!hasMagic(data)) {
      throw new IllegalArgumentException("Not an aggregated record: it does not start with the magic bytes F3 89 9A C2");
    }
    if (data.length < OVERHEAD_BYTES) {
      throw new IllegalArgumentException("Corrupt aggregated record: truncated to " + data.length
          + " bytes, shorter than the " + OVERHEAD_BYTES + " bytes of magic and MD5 checksum");
    }
    if (!checksumMatches(data)) {
      throw new IllegalArgumentException("Corrupt aggregated record: the MD5 checksum of its "
          + (data.length - OVERHEAD_BYTES) + "-byte message does not match its trailer");
    }
    List<String> partitionKeys = new ArrayList<>();
    List<String> explicitHashKeys = new ArrayList<>();
    List<ProtoWire.Reader> records = new ArrayList<>();
    ProtoWire.Reader message = new ProtoWire.Reader(data, MAGIC.length, data.length - DIGEST_BYTES, "AggregatedRecord");
    while (message.hasMore()) {
      long tag = message.readVarint();
      int field = (int) (tag >>> 3);
      int wireType = (int) (tag & 7);
      if (field == PARTITION_KEY_TABLE && wireType == ProtoWire.LENGTH_DELIMITED) {
        partitionKeys.add(message.readString("partition_key_table"));
      } else if (field == EXPLICIT_HASH_KEY_TABLE && wireType == ProtoWire.LENGTH_DELIMITED) {
        explicitHashKeys.add(message.readString("explicit_hash_key_table"));
      } else if (field == RECORDS && wireType == ProtoWire.LENGTH_DELIMITED) {
        records.add(message.readDelimited("records[" + records.size() + "]"));
      } else {
        message.skip(wireType);
      }
    }
    List<UserRecord> out = new ArrayList<>(records.size());
    for (ProtoWire.Reader record : records) {
      out.add(decodeRecord(record, partitionKeys, explicitHashKeys));
    }
    return out;
  }

  private static UserRecord decodeRecord(ProtoWire.Reader record, List<String> partitionKeys, List<String> explicitHashKeys) {
    long partitionKeyIndex = -1;
    long explicitHashKeyIndex = -1;
    byte[] payload = null;
    while (record.hasMore()) {
      long tag = record.readVarint();
      int field = (int) (tag >>> 3);
      int wireType = (int) (tag & 7);
      if (field == PARTITION_KEY_INDEX && wireType == ProtoWire.VARINT) {
        partitionKeyIndex = record.readVarint();
      } else if (field == EXPLICIT_HASH_KEY_INDEX && wireType == ProtoWire.VARINT) {
        explicitHashKeyIndex = record.readVarint();
      } else if (field == DATA && wireType == ProtoWire.LENGTH_DELIMITED) {
        payload = record.readBytes("data");
      } else {
        record.skip(wireType);
      }
    }
    if (partitionKeyIndex == -1) {
      throw record.corrupt("missing required partition_key_index");
    }
    if (payload == null) {
      throw record.corrupt("missing required data");
    }
    if (partitionKeyIndex < 0 || partitionKeyIndex >= partitionKeys.size()) {
      throw record.corrupt("partition_key_index " + Long.toUnsignedString(partitionKeyIndex)
          + " out of range of the " + partitionKeys.size() + "-entry partition_key_table");
    }
    String explicitHashKey = null;
    if (explicitHashKeyIndex != -1) {
      if (explicitHashKeyIndex < 0 || explicitHashKeyIndex >= explicitHashKeys.size()) {
        throw record.corrupt("explicit_hash_key_index " + Long.toUnsignedString(explicitHashKeyIndex)
            + " out of range of the " + explicitHashKeys.size() + "-entry explicit_hash_key_table");
      }
      explicitHashKey = explicitHashKeys.get((int) explicitHashKeyIndex);
    }
    return UserRecord.of(partitionKeys.get((int) partitionKeyIndex), explicitHashKey, payload);
  }

  private static boolean hasMagic(byte[] data) {
    return data.length >= MAGIC.length && Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
  }

  private static boolean checksumMatches(byte[] data) {
    int bodyEnd = data.length - DIGEST_BYTES;
    byte[] expected = md5(data, MAGIC.length, bodyEnd - MAGIC.length);
    return Arrays.equals(expected, 0, DIGEST_BYTES, data, bodyEnd, data.length);
  }

  private static byte[] md5(byte[] data, int offset, int length) {
    try {
      MessageDigest digest = MessageDigest.getInstance("MD5");
      digest.update(data, offset, length);
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides MD5", e);
    }
  }
}
