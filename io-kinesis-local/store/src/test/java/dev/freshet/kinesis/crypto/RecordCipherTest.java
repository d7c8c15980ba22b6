package dev.freshet.kinesis.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.primitives.Bytes;
import dev.freshet.sdk.stream.errors.InternalFailureException;
import dev.freshet.sdk.stream.errors.KmsNotFoundException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordCipherTest {
  private static final byte[] PLAINTEXT =
      "card=4111111111111111;amount=42.00;currency=EUR".getBytes(StandardCharsets.UTF_8);
  private static final byte[] AAD = "orders/shardId-000000000001/49000000010000000000000000007"
      .getBytes(StandardCharsets.UTF_8);

  @TempDir Path folder;
  private LocalKeyStore keys;
  private RecordCipher cipher;

  @BeforeEach
  void setUp() {
    keys = LocalKeyStore.open(folder.resolve("keys.json"));
    keys.createKey("k1");
    keys.createKey("k2");
    cipher = new RecordCipher(keys);
  }

  @Test
  void roundTrips() {
    byte[] sealed = cipher.encrypt("k1", PLAINTEXT, AAD);
    assertThat(sealed)
        .hasSize(RecordCipher.NONCE_BYTES + PLAINTEXT.length + RecordCipher.TAG_BYTES);
    assertThat(cipher.decrypt("k1", sealed, AAD)).isEqualTo(PLAINTEXT);
  }

  @Test
  void roundTripsEmptyAndLargeRecordsAndNullAssociatedData() {
    byte[] empty = new byte[0];
    assertThat(cipher.decrypt("k1", cipher.encrypt("k1", empty, null), null)).isEmpty();
    byte[] large = new byte[1 << 20];
    for (int i = 0; i < large.length; i++) {
      large[i] = (byte) i;
    }
    assertThat(cipher.decrypt("k2", cipher.encrypt("k2", large, AAD), AAD)).isEqualTo(large);
    // null and empty associated data are the same thing.
    assertThat(cipher.decrypt("k1", cipher.encrypt("k1", PLAINTEXT, null), new byte[0]))
        .isEqualTo(PLAINTEXT);
  }

  @Test
  void sealedBytesDoNotContainThePlaintext() {
    byte[] sealed = cipher.encrypt("k1", PLAINTEXT, AAD);
    assertThat(Bytes.indexOf(sealed, PLAINTEXT)).isEqualTo(-1);
    assertThat(Bytes.indexOf(sealed, "4111111111111111".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(-1);
  }

  @Test
  void everyEncryptionUsesAFreshNonce() {
    Set<ByteBuffer> nonces = new HashSet<>();
    Set<ByteBuffer> ciphertexts = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      byte[] sealed = cipher.encrypt("k1", PLAINTEXT, AAD);
      nonces.add(ByteBuffer.wrap(sealed, 0, RecordCipher.NONCE_BYTES).slice());
      ciphertexts.add(ByteBuffer.wrap(sealed));
    }
    assertThat(nonces).hasSize(10_000);
    assertThat(ciphertexts).hasSize(10_000);
  }

  @Test
  void noncesAreDistinctAcrossThreads() throws Exception {
    Set<ByteBuffer> nonces = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 2_000; i++) {
                    byte[] sealed = cipher.encrypt("k1", PLAINTEXT, AAD);
                    nonces.add(ByteBuffer.wrap(sealed, 0, RecordCipher.NONCE_BYTES).slice());
                    assertThat(cipher.decrypt("k1", sealed, AAD)).isEqualTo(PLAINTEXT);
                  }
                }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(nonces).hasSize(8_000);
  }

  @Test
  void flippingAnyBitIsDetected() {
    byte[] sealed = cipher.encrypt("k1", PLAINTEXT, AAD);
    for (int i = 0; i < sealed.length; i++) {
      for (int bit = 0; bit < 8; bit += 3) {
        byte[] tampered = sealed.clone();
        tampered[i] ^= (byte) (1 << bit);
        assertThatThrownBy(() -> cipher.decrypt("k1", tampered, AAD))
            .as("byte %s bit %s", i, bit)
            .isInstanceOf(InternalFailureException.class)
            .hasMessageContaining("failed authentication")
            .hasMessageContaining("k1");
      }
    }
  }

  @Test
  void otherAssociatedDataOrKeyOrTruncationIsDetected() {
    byte[] sealed = cipher.encrypt("k1", PLAINTEXT, AAD);
    byte[] otherPosition = "orders/shardId-000000000001/49000000010000000000000000008"
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> cipher.decrypt("k1", sealed, otherPosition))
        .isInstanceOf(InternalFailureException.class);
    assertThatThrownBy(() -> cipher.decrypt("k2", sealed, AAD))
        .isInstanceOf(InternalFailureException.class);
    byte[] truncated = java.util.Arrays.copyOf(sealed, sealed.length - 1);
    assertThatThrownBy(() -> cipher.decrypt("k1", truncated, AAD))
        .isInstanceOf(InternalFailureException.class);
    assertThatThrownBy(() -> cipher.decrypt("k1", new byte[27], AAD))
        .isInstanceOf(InternalFailureException.class)
        .hasMessageContaining("27 bytes");
    // The cipher is still usable after failures on this thread.
    assertThat(cipher.decrypt("k1", sealed, AAD)).isEqualTo(PLAINTEXT);
  }

  @Test
  void missingKeysAreKmsNotFound() {
    assertThatThrownBy(() -> cipher.encrypt("nope", PLAINTEXT, AAD))
        .isInstanceOf(KmsNotFoundException.class)
        .hasMessageContaining("nope");
    byte[] sealed = cipher.encrypt("k1", PLAINTEXT, AAD);
    assertThatThrownBy(() -> cipher.decrypt("nope", sealed, AAD))
        .isInstanceOf(KmsNotFoundException.class);
  }

  @Test
  void recordsDecryptAfterTheKeyStoreIsReopened() {
    byte[] sealed = cipher.encrypt("k2", PLAINTEXT, AAD);
    RecordCipher reopened = new RecordCipher(LocalKeyStore.open(folder.resolve("keys.json")));
    assertThat(reopened.decrypt("k2", sealed, AAD)).isEqualTo(PLAINTEXT);
  }
}
