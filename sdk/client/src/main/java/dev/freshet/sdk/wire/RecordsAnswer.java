package dev.freshet.sdk.wire;

import static com.google.common.base.Preconditions.checkArgument;

import dev.freshet.sdk.stream.EncryptionType;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.Record;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Freshet's binary GetRecords answer: the records of one answer as length-prefixed bytes, for a
 * Freshet client reading through {@code freshet server}, where the CBOR answer's per-record field
 * names, tags and parsing were most of what the round trip cost.
 *
 * <p>A client asks for it with the request header {@value #HEADER}{@code : }{@value #VERSION} on a
 * GetRecords call; a server that knows it answers with content type {@value #CONTENT_TYPE} when it
 * {@link #canEncode can}, and otherwise (an answer that ends the shard and names its children, a
 * server that does not know the header) as the Kinesis API does. The request itself is the
 * service's. Layout, big-endian:
 *
 * <pre>
 * answer   = magic "FRA1" (4 bytes), millisBehindLatest (int64),
 *            nextShardIterator (uint16 length, UTF-8 bytes), recordCount (int32), record*
 * record   = sequenceNumber (uint8 length, ASCII digits), arrival (int64 epoch ms),
 *            partitionKey (uint16 length, UTF-8 bytes), data (int32 length, bytes),
 *            encryptionType (uint8: 0 NONE, 1 KMS)
 * </pre>
 */
public final class RecordsAnswer {
  /** The request header a client sends to accept this answer. */
  public static final String HEADER = "X-Freshet-Records";

  /** The value of {@link #HEADER}: the layout's version. */
  public static final String VERSION = "1";

  /** The content type of an answer in this layout. */
  public static final String CONTENT_TYPE = "application/x-freshet-records-1";

  private static final int MAGIC = ('F' << 24) | ('R' << 16) | ('A' << 8) | '1';
  private static final int MAX_ITERATOR_BYTES = 0xFFFF;

  private RecordsAnswer() {}

  /**
   * Whether {@code result} fits this layout: it continues the shard (a next iterator, no child
   * shards). Its sequence numbers must also be at most 255 digits, as every store's are (30).
   */
  public static boolean canEncode(GetRecordsResult result) {
    return result.nextShardIterator() != null && result.childShards().isEmpty()
        && result.nextShardIterator().length() <= MAX_ITERATOR_BYTES / 3;
  }

  /**
   * Encodes {@code result}; the answer is the buffer's bytes from its position to its limit.
   *
   * @throws IllegalArgumentException if {@code result} does not {@link #canEncode fit}
   */
  @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): a Latin-1 copy, no allocation
  public static ByteBuffer encode(GetRecordsResult result) {
    checkArgument(canEncode(result), "a GetRecords answer that ends its shard goes as the Kinesis API's answer");
    List<Record> records = result.records();
    byte[] iterator = result.nextShardIterator().getBytes(StandardCharsets.UTF_8);
    long size = 4 + 8 + 2 + iterator.length + 4;
    for (Record record : records) {
      // An upper bound: UTF-8 takes at most 3 bytes per char (a surrogate pair's 4 for 2 chars).
      size += 1 + record.sequenceNumber().length() + 8 + 2 + 3L * record.partitionKey().length() + 4
          + record.data().length + 1;
    }
    checkArgument(size <= Integer.MAX_VALUE - 8, "a GetRecords answer of %s bytes is too large", size);
    byte[] out = new byte[(int) size];
    ByteBuffer buf = ByteBuffer.wrap(out);
    buf.putInt(MAGIC).putLong(result.millisBehindLatest());
    buf.putShort((short) iterator.length).put(iterator);
    buf.putInt(records.size());
    for (Record record : records) {
      String sequence = record.sequenceNumber();
      int length = sequence.length();
      checkArgument(length <= 0xFF, "sequence number %s is longer than 255 digits", sequence);
      buf.put((byte) length);
      int at = buf.position();
      sequence.getBytes(0, length, out, at); // digits only: one byte each
      buf.position(at + length);
      buf.putLong(record.approximateArrivalTimestamp().toEpochMilli());
      putKey(buf, out, record.partitionKey());
      byte[] data = record.data();
      buf.putInt(data.length).put(data);
      buf.put((byte) (record.encryptionType() == EncryptionType.NONE ? 0 : 1));
    }
    buf.flip();
    return buf;
  }

  @SuppressWarnings("deprecation")
  private static void putKey(ByteBuffer buf, byte[] out, String key) {
    int length = key.length();
    boolean ascii = true;
    for (int i = 0; i < length && ascii; i++) {
      ascii = key.charAt(i) < 0x80;
    }
    if (ascii) {
      buf.putShort((short) length);
      int at = buf.position();
      key.getBytes(0, length, out, at);
      buf.position(at + length);
    } else {
      byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
      checkArgument(utf8.length <= 0xFFFF, "a partition key of %s bytes is too long", utf8.length);
      buf.putShort((short) utf8.length).put(utf8);
    }
  }

  /**
   * Decodes an answer.
   *
   * @throws IOException naming what was wrong and where, if {@code body} is not such an answer
   */
  public static GetRecordsResult decode(byte[] body) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(body);
    need(buf, 4 + 8 + 2, "its header");
    int magic = buf.getInt();
    if (magic != MAGIC) {
      throw new IOException(String.format("not a Freshet records answer: it starts with 0x%08x", magic));
    }
    long millisBehind = buf.getLong();
    int iteratorLength = buf.getShort() & 0xFFFF;
    need(buf, iteratorLength + 4, "the next shard iterator");
    String next = new String(body, buf.position(), iteratorLength, StandardCharsets.UTF_8);
    buf.position(buf.position() + iteratorLength);
    int count = buf.getInt();
    if (count < 0 || count > buf.remaining() / 16) {
      throw new IOException("a Freshet records answer of " + body.length + " bytes cannot hold " + count + " records");
    }
    List<Record> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      need(buf, 1, "record " + i);
      int sequenceLength = buf.get() & 0xFF;
      need(buf, sequenceLength + 8 + 2, "record " + i);
      String sequence = new String(body, buf.position(), sequenceLength, StandardCharsets.ISO_8859_1);
      buf.position(buf.position() + sequenceLength);
      Instant arrival = Instant.ofEpochMilli(buf.getLong());
      int keyLength = buf.getShort() & 0xFFFF;
      need(buf, keyLength + 4, "record " + i);
      String key = new String(body, buf.position(), keyLength, StandardCharsets.UTF_8);
      buf.position(buf.position() + keyLength);
      int dataLength = buf.getInt();
      if (dataLength < 0) {
        throw new IOException("record " + i + " of a Freshet records answer has a negative data length");
      }
      need(buf, dataLength + 1, "record " + i);
      byte[] data = Arrays.copyOfRange(body, buf.position(), buf.position() + dataLength);
      buf.position(buf.position() + dataLength);
      int encryption = buf.get();
      if (encryption != 0 && encryption != 1) {
        throw new IOException("record " + i + " of a Freshet records answer has encryption type " + encryption);
      }
      records.add(Record.of(sequence, arrival, key, data, encryption == 0 ? EncryptionType.NONE : EncryptionType.KMS));
    }
    if (buf.hasRemaining()) {
      throw new IOException("a Freshet records answer has " + buf.remaining() + " bytes after its " + count + " records");
    }
    return GetRecordsResult.of(records, next, millisBehind, List.of());
  }

  private static void need(ByteBuffer buf, long bytes, String what) throws IOException {
    if (buf.remaining() < bytes) {
      throw new IOException("a Freshet records answer ends at byte " + buf.limit() + " inside " + what);
    }
  }
}
