package dev.freshet.sdk.wire;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.freshet.sdk.stream.EncryptionType;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.RecordPage;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Freshet's binary GetRecords answer: the records of one answer copied from the store's log into
 * length-prefixed fields, for a Freshet client reading through {@code freshet server}. With the
 * Kinesis API's CBOR answer the server decodes every record, formats its sequence number and
 * writes field names and tags, and the client parses them again; here the server copies bytes and
 * the client checks the answer once and builds each record only when it is asked for ({@link
 * RecordPage}).
 *
 * <p>A client asks for it with the request header {@value #HEADER}{@code : }{@value #VERSION} on a
 * GetRecords call; a {@code freshet server} over a local store answers in it whenever the read
 * continues the shard and holds no encrypted record, and otherwise (the read that ends a shard and
 * names its children, records sealed with a stream key, a server that does not know the header)
 * as the Kinesis API does. The request itself is the service's. Layout, big-endian:
 *
 * <pre>
 * answer   = magic "FRA2" (4 bytes), sequencePrefix (uint8 length, ASCII digits),
 *            sequenceDigits (uint8), recordCount (int32), record*,
 *            millisBehindLatest (int64), nextShardIterator (uint16 length, UTF-8 bytes)
 * record   = sequenceValue (int64), arrival (int64 epoch ms),
 *            partitionKey (uint16 length, UTF-8 bytes), data (int32 length, bytes)
 * </pre>
 *
 * <p>A record's sequence number is {@code sequencePrefix} followed by {@code sequenceValue} in
 * decimal, zero-padded to {@code sequenceDigits} digits (the store's numbers: {@code "49"} and the
 * shard's ordinal in 8 digits, then the offset plus one in 20). Its encryption type is NONE.
 */
public final class RecordsAnswer {
  /** The request header a client sends to accept this answer. */
  public static final String HEADER = "X-Freshet-Records";

  /** The value of {@link #HEADER}: the layout's version. */
  public static final String VERSION = "2";

  /** The content type of an answer in this layout. */
  public static final String CONTENT_TYPE = "application/x-freshet-records-2";

  private static final int MAGIC = ('F' << 24) | ('R' << 16) | ('A' << 8) | '2';
  /** Bytes of a record besides its key and data. */
  private static final int RECORD_OVERHEAD = 8 + 8 + 2 + 4;

  private RecordsAnswer() {}

  /**
   * Builds one answer: {@link #record} for each record in order, then {@link #finish}. The answer
   * is written into chunks of 64 KiB (a record larger than that gets a chunk of its own), so that
   * a growing answer is never copied and no array is large enough to be a special case for the
   * garbage collector. Not thread-safe.
   */
  public static final class Writer {
    private static final int CHUNK_BYTES = 64 << 10;

    private final int sequenceDigits;
    private final long maxSequenceValue;
    private final byte[] first;
    private final int countAt;
    private final List<ByteBuffer> chunks = new ArrayList<>();
    private byte[] out;
    private int size;
    private int count;
    private boolean finished;

    /**
     * @param sequencePrefix the digits every sequence number of the answer starts with
     * @param sequenceDigits how many digits follow them
     */
    public Writer(String sequencePrefix, int sequenceDigits) {
      checkArgument(sequencePrefix.length() <= 0xFF && sequencePrefix.chars().allMatch(c -> c >= '0' && c <= '9'),
          "a sequence prefix must be at most 255 digits, but was: %s", sequencePrefix);
      checkArgument(sequenceDigits > 0 && sequenceDigits <= 20,
          "sequenceDigits must be 1 to 20, but was: %s", sequenceDigits);
      this.sequenceDigits = sequenceDigits;
      this.maxSequenceValue = sequenceDigits >= 19 ? Long.MAX_VALUE : (long) Math.pow(10, sequenceDigits) - 1;
      out = new byte[CHUNK_BYTES];
      first = out;
      ByteBuffer head = ByteBuffer.wrap(out);
      head.putInt(MAGIC).put((byte) sequencePrefix.length())
          .put(sequencePrefix.getBytes(StandardCharsets.US_ASCII)).put((byte) sequenceDigits);
      countAt = head.position();
      size = countAt + 4;
    }

    /**
     * Adds a record whose key and data lie in {@code source} (absolute positions; the buffer's
     * position is not used or moved).
     */
    public void record(long sequenceValue, long arrivalMillis, ByteBuffer source, int keyAt, int keyLength,
        int dataAt, int dataLength) {
      checkState(!finished, "the answer is finished");
      checkArgument(sequenceValue >= 0 && sequenceValue <= maxSequenceValue,
          "sequence value %s does not fit %s digits", sequenceValue, sequenceDigits);
      checkArgument(keyLength >= 0 && keyLength <= 0xFFFF, "a key of %s bytes is too long", keyLength);
      checkArgument(dataLength >= 0, "negative data length %s", dataLength);
      room(RECORD_OVERHEAD + keyLength + dataLength);
      ByteBuffer buf = ByteBuffer.wrap(out, size, out.length - size);
      buf.putLong(sequenceValue).putLong(arrivalMillis).putShort((short) keyLength);
      source.get(keyAt, out, buf.position(), keyLength);
      buf.position(buf.position() + keyLength).putInt(dataLength);
      source.get(dataAt, out, buf.position(), dataLength);
      size = buf.position() + dataLength;
      count++;
    }

    /** How many records were added. */
    public int records() {
      return count;
    }

    /**
     * Ends the answer: it is the bytes of the returned buffers, one after the other, each from its
     * position to its limit.
     */
    public ByteBuffer[] finish(String nextShardIterator, long millisBehindLatest) {
      checkNotNull(nextShardIterator, "nextShardIterator");
      checkState(!finished, "the answer is finished");
      byte[] iterator = nextShardIterator.getBytes(StandardCharsets.UTF_8);
      checkArgument(iterator.length <= 0xFFFF, "a shard iterator of %s bytes is too long", iterator.length);
      room(8 + 2 + iterator.length);
      ByteBuffer.wrap(out, size, out.length - size)
          .putLong(millisBehindLatest).putShort((short) iterator.length).put(iterator);
      size += 8 + 2 + iterator.length;
      ByteBuffer.wrap(first).putInt(countAt, count);
      chunks.add(ByteBuffer.wrap(out, 0, size));
      finished = true;
      return chunks.toArray(new ByteBuffer[0]);
    }

    /** Makes room for {@code bytes} in the current chunk, starting a new one if it lacks them. */
    private void room(int bytes) {
      if (out.length - size >= bytes) {
        return;
      }
      chunks.add(ByteBuffer.wrap(out, 0, size));
      out = new byte[Math.max(CHUNK_BYTES, bytes)];
      size = 0;
    }
  }

  /**
   * Decodes an answer. Every record is checked here, so a malformed answer fails now, but records
   * are built only as they are asked for: the result's records are a {@link RecordPage} over
   * {@code body}, which the result keeps (the caller must not change it).
   *
   * @throws IOException naming what was wrong and where, if {@code body} is not such an answer
   */
  public static GetRecordsResult decode(byte[] body) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(body);
    need(buf, 4 + 1, "its header");
    int magic = buf.getInt();
    if (magic != MAGIC) {
      throw new IOException(String.format("not a Freshet records answer (version 2): it starts with 0x%08x", magic));
    }
    int prefixLength = buf.get() & 0xFF;
    need(buf, prefixLength + 1 + 4, "its header");
    byte[] sequence = new byte[prefixLength];
    buf.get(sequence);
    int digits = buf.get() & 0xFF;
    if (digits < 1 || digits > 20) {
      throw new IOException("a Freshet records answer gives sequence numbers " + digits + " digits after the prefix");
    }
    long maxValue = digits >= 19 ? Long.MAX_VALUE : (long) Math.pow(10, digits) - 1;
    int count = buf.getInt();
    if (count < 0 || count > buf.remaining() / RECORD_OVERHEAD) {
      throw new IOException("a Freshet records answer of " + body.length + " bytes cannot hold " + count + " records");
    }
    int[] starts = new int[count];
    for (int i = 0; i < count; i++) {
      starts[i] = buf.position();
      need(buf, 8 + 8 + 2, i);
      long value = buf.getLong();
      if (value < 0 || value > maxValue) {
        throw new IOException("record " + i + " of a Freshet records answer has sequence value " + value
            + (value < 0 ? "" : ", more than " + digits + " digits"));
      }
      buf.position(buf.position() + 8); // arrival
      int keyLength = buf.getShort() & 0xFFFF;
      need(buf, keyLength + 4, i);
      buf.position(buf.position() + keyLength);
      int dataLength = buf.getInt();
      if (dataLength < 0) {
        throw new IOException("record " + i + " of a Freshet records answer has a negative data length");
      }
      need(buf, dataLength, i);
      buf.position(buf.position() + dataLength);
    }
    need(buf, 8 + 2, "its trailer");
    long millisBehind = buf.getLong();
    int iteratorLength = buf.getShort() & 0xFFFF;
    need(buf, iteratorLength, "the next shard iterator");
    String next = new String(body, buf.position(), iteratorLength, StandardCharsets.UTF_8);
    buf.position(buf.position() + iteratorLength);
    if (buf.hasRemaining()) {
      throw new IOException("a Freshet records answer has " + buf.remaining() + " bytes after its next shard iterator");
    }
    return GetRecordsResult.of(new Page(body, starts, new String(sequence, StandardCharsets.US_ASCII), digits), next, millisBehind, List.of());
  }

  /** The records of a decoded answer, read from its body on demand; immutable. */
  private static final class Page extends RecordPage {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private final byte[] body;
    private final int[] starts;
    private final String prefix;
    private final int digits;

    Page(byte[] body, int[] starts, String prefix, int digits) {
      this.body = body;
      this.starts = starts;
      this.prefix = prefix;
      this.digits = digits;
    }

    @Override
    public int size() {
      return starts.length;
    }

    @Override
    public String sequencePrefix() {
      return prefix;
    }

    @Override
    public int sequenceDigits() {
      return digits;
    }

    @Override
    public long sequenceValue(int index) {
      return (long) LONG.get(body, starts[index]);
    }

    @Override
    public long arrivalMillis(int index) {
      return (long) LONG.get(body, starts[index] + 8);
    }

    @Override
    public String partitionKey(int index) {
      int at = starts[index] + 16;
      return new String(body, at + 2, keyLength(at), StandardCharsets.UTF_8);
    }

    @Override
    public byte[] data(int index) {
      int at = dataAt(index);
      return Arrays.copyOfRange(body, at + 4, at + 4 + (int) INT.get(body, at));
    }

    @Override
    public int dataLength(int index) {
      return (int) INT.get(body, dataAt(index));
    }

    @Override
    public EncryptionType encryptionType(int index) {
      return EncryptionType.NONE;
    }

    private int keyLength(int at) {
      return (short) SHORT.get(body, at) & 0xFFFF;
    }

    /** Where the data length of record {@code index} lies. */
    private int dataAt(int index) {
      int at = starts[index] + 16;
      return at + 2 + keyLength(at);
    }
  }

  private static void need(ByteBuffer buf, long bytes, int record) throws IOException {
    if (buf.remaining() < bytes) {
      need(buf, bytes, "record " + record);
    }
  }

  private static void need(ByteBuffer buf, long bytes, String what) throws IOException {
    if (buf.remaining() < bytes) {
      throw new IOException("a Freshet records answer ends at byte " + buf.limit() + " inside " + what);
    }
  }
}
