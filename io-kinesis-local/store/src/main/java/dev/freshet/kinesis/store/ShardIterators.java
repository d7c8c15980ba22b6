package dev.freshet.kinesis.store;

import static com.google.common.base.Preconditions.checkArgument;

import dev.freshet.kinesis.crypto.SecretFiles;
import dev.freshet.sdk.stream.errors.ExpiredIteratorException;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and checks shard iterators: opaque strings that carry an {@link IteratorPosition},
 * authenticated so that a client cannot edit one to read another shard or stream, and expiring
 * after a time-to-live (five minutes in the service).
 *
 * <p>Why self-contained tokens rather than ids in a table: GetRecords is stateless, iterators are
 * created far more often than they are used to the end, and the store must not grow with them.
 * The position is therefore sealed into the string with an HMAC-SHA256 (truncated to 16 bytes,
 * compared in constant time), keyed by a secret that {@link #loadOrCreateSecret} keeps in the data
 * folder so iterators stay valid across a restart of the store. The token is not encrypted: the
 * stream name and offset in it are not secret, only unforgeable.
 *
 * <p>Token layout before URL-safe base64 without padding: version (1 byte), issued-at millis (8),
 * stream incarnation (8), shard ordinal (4), offset (8), stream name length (1), stream name
 * (UTF-8, at most 128 bytes), MAC (16) — at most 232 characters, within the API's 512.
 *
 * <p>Thread-safe: {@link Mac} is not, so each thread keeps its own.
 */
final class ShardIterators {
  private static final byte VERSION = 1;
  private static final int MAC_BYTES = 16;
  private static final int HEADER_BYTES = 1 + 8 + 8 + 4 + 8 + 1;
  private static final int MAX_ITERATOR_LENGTH = 512;
  private static final int SECRET_BYTES = 32;
  private static final int MIN_SECRET_BYTES = 16;

  /** Binds the MAC to this use, in case the secret ever keys something else too. */
  private static final byte[] CONTEXT =
      "freshet shard iterator".getBytes(StandardCharsets.US_ASCII);

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final SecretKeySpec key;
  private final Clock clock;
  private final Duration ttl;
  private final ThreadLocal<Mac> macs;

  /**
   * @param secret the MAC key, at least 16 bytes (use {@link #loadOrCreateSecret}); copied
   * @param clock the source of issue times and of "now" when checking expiry
   * @param ttl how long an iterator stays valid; the service's is five minutes
   */
  ShardIterators(byte[] secret, Clock clock, Duration ttl) {
    checkArgument(
        secret.length >= MIN_SECRET_BYTES,
        "the iterator secret must have at least %s bytes, but has %s",
        MIN_SECRET_BYTES,
        secret.length);
    checkArgument(
        !ttl.isNegative() && !ttl.isZero(), "ttl must be positive, but was: %s", ttl);
    this.key = new SecretKeySpec(Arrays.copyOf(secret, secret.length), "HmacSHA256");
    this.clock = clock;
    this.ttl = ttl;
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  /**
   * The 32-byte secret kept in {@code file}, created at random (and written owner-only and
   * atomically) the first time, so iterators issued before a restart still verify after it.
   *
   * @throws IllegalStateException if the file exists but does not hold 32 bytes
   * @throws java.io.UncheckedIOException if it cannot be read or written
   */
  static byte[] loadOrCreateSecret(Path file) {
    return SecretFiles.readOrCreate(file, SECRET_BYTES);
  }

  /** An iterator for {@code position}, stamped as issued now; its own issue time is ignored. */
  String encode(IteratorPosition position) {
    byte[] name = position.streamName().getBytes(StandardCharsets.UTF_8);
    // IteratorPosition bounds the name to 128 characters, but not every character is one byte.
    checkArgument(
        name.length <= 255,
        "streamName must encode to at most 255 UTF-8 bytes, but was: %s",
        position.streamName());
    ByteBuffer token = ByteBuffer.allocate(HEADER_BYTES + name.length + MAC_BYTES);
    token
        .put(VERSION)
        .putLong(clock.millis())
        .putLong(position.streamIncarnation())
        .putInt(position.shardOrdinal())
        .putLong(position.offset())
        .put((byte) name.length)
        .put(name);
    byte[] bytes = token.array();
    int payloadLength = bytes.length - MAC_BYTES;
    System.arraycopy(mac(bytes, payloadLength), 0, bytes, payloadLength, MAC_BYTES);
    return ENCODER.encodeToString(bytes);
  }

  /**
   * The position sealed in {@code iterator}.
   *
   * @throws InvalidArgumentException ("Invalid ShardIterator") if it is null, malformed, edited,
   *     or was not issued with this secret
   * @throws ExpiredIteratorException if it is authentic but older than the time-to-live
   */
  IteratorPosition decode(String iterator) {
    if (iterator == null || iterator.isEmpty() || iterator.length() > MAX_ITERATOR_LENGTH) {
      throw invalid();
    }
    byte[] bytes;
    try {
      bytes = DECODER.decode(iterator);
    } catch (IllegalArgumentException e) {
      throw invalid();
    }
    // Base64 ignores the unused low bits of the last character; without this check two strings
    // would decode to the same token, and flipping those bits would go unnoticed.
    if (!ENCODER.encodeToString(bytes).equals(iterator)) {
      throw invalid();
    }
    if (bytes.length < HEADER_BYTES + MAC_BYTES
        || bytes[0] != VERSION
        || (bytes[HEADER_BYTES - 1] & 0xFF) != bytes.length - HEADER_BYTES - MAC_BYTES) {
      throw invalid();
    }
    int payloadLength = bytes.length - MAC_BYTES;
    byte[] expected = mac(bytes, payloadLength);
    byte[] actual = Arrays.copyOfRange(bytes, payloadLength, bytes.length);
    if (!MessageDigest.isEqual(expected, actual)) {
      throw invalid();
    }

    ByteBuffer token = ByteBuffer.wrap(bytes, 1, payloadLength - 1);
    long issuedAtMillis = token.getLong();
    long streamIncarnation = token.getLong();
    int shardOrdinal = token.getInt();
    long offset = token.getLong();
    int nameLength = token.get() & 0xFF;
    String streamName = new String(bytes, HEADER_BYTES, nameLength, StandardCharsets.UTF_8);

    long now = clock.millis();
    if (now - issuedAtMillis > ttl.toMillis()) {
      throw new ExpiredIteratorException(
          "Iterator expired. The iterator was created at time "
              + Instant.ofEpochMilli(issuedAtMillis)
              + " while right now it is "
              + Instant.ofEpochMilli(now)
              + " which is further in the future than the tolerated delay of "
              + ttl.toMillis()
              + " milliseconds.");
    }
    return IteratorPosition.of(
        streamName, streamIncarnation, shardOrdinal, offset, issuedAtMillis);
  }

  private byte[] mac(byte[] bytes, int length) {
    Mac mac = macs.get();
    mac.update(CONTEXT);
    mac.update(bytes, 0, length);
    return Arrays.copyOf(mac.doFinal(), MAC_BYTES);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java platform must provide HmacSHA256", e);
    }
  }

  private static InvalidArgumentException invalid() {
    return new InvalidArgumentException("Invalid ShardIterator.");
  }
}
