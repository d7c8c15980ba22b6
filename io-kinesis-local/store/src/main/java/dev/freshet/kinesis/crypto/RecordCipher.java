package dev.freshet.kinesis.crypto;

import dev.freshet.sdk.stream.errors.InternalFailureException;
import dev.freshet.sdk.stream.errors.KmsNotFoundException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts and decrypts record payloads with AES-256-GCM under a key of the {@link LocalKeyStore},
 * for streams with server-side encryption.
 *
 * <p>A sealed record is {@code nonce (12 bytes) || ciphertext || tag (16 bytes)}. The associated
 * data (for example stream, shard and sequence number) is authenticated but not stored, so a
 * record copied to another position fails to decrypt rather than being served in the wrong place.
 *
 * <h3>Nonces</h3>
 *
 * GCM is broken outright if a nonce repeats under one key, and drawing 12 bytes from {@link
 * SecureRandom} for every record is slow (it synchronises and may hit the kernel). So each thread
 * draws a random 8-byte prefix once and appends a 4-byte counter that it increments per record;
 * when the counter wraps after 2^32 records the thread draws a new prefix. Two nonces can only
 * collide if two prefixes do (two threads, or two runs of the process, drawing the same 64 random
 * bits), which stays negligible (about q²/2^65 for q prefixes) far beyond any local workload — and,
 * unlike 96 random bits per record, it does not erode with the number of records.
 *
 * <p>{@link Cipher} instances are not thread-safe and costly to look up, so each thread keeps one.
 * Thread-safe.
 */
public final class RecordCipher {
  /** Bytes of the GCM nonce at the start of a sealed record. */
  public static final int NONCE_BYTES = 12;

  /** Bytes of the GCM authentication tag at the end of a sealed record. */
  public static final int TAG_BYTES = 16;

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final byte[] NO_ASSOCIATED_DATA = new byte[0];
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ThreadLocal<Cipher> CIPHERS =
      ThreadLocal.withInitial(RecordCipher::newCipher);
  private static final ThreadLocal<NonceSequence> NONCES =
      ThreadLocal.withInitial(NonceSequence::new);

  private final LocalKeyStore keys;

  public RecordCipher(LocalKeyStore keys) {
    this.keys = keys;
  }

  /**
   * Seals {@code plaintext} under the key {@code keyId}, authenticating {@code associatedData}
   * (may be null for none) as well.
   *
   * @return a new array: nonce, ciphertext and tag
   * @throws KmsNotFoundException if there is no such key
   */
  public byte[] encrypt(String keyId, byte[] plaintext, byte[] associatedData) {
    SecretKey key = keys.key(keyId);
    byte[] sealed = new byte[NONCE_BYTES + plaintext.length + TAG_BYTES];
    NONCES.get().next(sealed);
    Cipher cipher = CIPHERS.get();
    try {
      cipher.init(
          Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, sealed, 0, NONCE_BYTES));
      cipher.updateAAD(associatedData == null ? NO_ASSOCIATED_DATA : associatedData);
      cipher.doFinal(plaintext, 0, plaintext.length, sealed, NONCE_BYTES);
      return sealed;
    } catch (GeneralSecurityException e) {
      throw new InternalFailureException(
          "Cannot encrypt a record with key '" + keyId + "': " + e.getMessage(), e);
    }
  }

  /**
   * Opens a record sealed by {@link #encrypt} under {@code keyId} with the same associated data.
   *
   * @throws KmsNotFoundException if there is no such key
   * @throws InternalFailureException if the record is too short or fails authentication: its
   *     bytes, its associated data or its key are not the ones it was sealed with
   */
  public byte[] decrypt(String keyId, byte[] sealed, byte[] associatedData) {
    SecretKey key = keys.key(keyId);
    if (sealed.length < NONCE_BYTES + TAG_BYTES) {
      throw new InternalFailureException(
          "Cannot decrypt a record with key '"
              + keyId
              + "': it has "
              + sealed.length
              + " bytes, fewer than the "
              + (NONCE_BYTES + TAG_BYTES)
              + " of a nonce and a tag");
    }
    Cipher cipher = CIPHERS.get();
    try {
      cipher.init(
          Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, sealed, 0, NONCE_BYTES));
      cipher.updateAAD(associatedData == null ? NO_ASSOCIATED_DATA : associatedData);
      return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw new InternalFailureException(
          "A record failed authentication with key '"
              + keyId
              + "': its stored bytes or position were altered, or it was sealed with another key",
          e);
    } catch (GeneralSecurityException e) {
      throw new InternalFailureException(
          "Cannot decrypt a record with key '" + keyId + "': " + e.getMessage(), e);
    }
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance(TRANSFORMATION);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java platform must provide " + TRANSFORMATION, e);
    }
  }

  /** One thread's nonces: a random 8-byte prefix and a 4-byte counter. */
  private static final class NonceSequence {
    private final byte[] prefix = new byte[8];
    private int counter;

    NonceSequence() {
      RANDOM.nextBytes(prefix);
    }

    void next(byte[] into) {
      System.arraycopy(prefix, 0, into, 0, prefix.length);
      int value = counter++;
      into[8] = (byte) (value >>> 24);
      into[9] = (byte) (value >>> 16);
      into[10] = (byte) (value >>> 8);
      into[11] = (byte) value;
      if (counter == 0) {
        RANDOM.nextBytes(prefix);
      }
    }
  }
}
