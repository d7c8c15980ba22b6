package dev.freshet.kinesis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.errors.ExpiredIteratorException;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ShardIteratorsTest {
  private static final Duration TTL = Duration.ofMinutes(5);
  private static final Instant START = Instant.parse("2024-05-01T10:00:00Z");
  private static final byte[] SECRET = new byte[32];
  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  static {
    for (int i = 0; i < SECRET.length; i++) {
      SECRET[i] = (byte) (i * 7 + 1);
    }
  }

  private final MutableClock clock = new MutableClock(START);
  private final ShardIterators iterators = new ShardIterators(SECRET, clock, TTL);

  private static IteratorPosition position() {
    return IteratorPosition.of("orders", 3, 7, 12345, 0);
  }

  @Test
  void roundTripsAndStampsTheIssueTime() {
    String iterator = iterators.encode(position());
    assertThat(iterators.decode(iterator))
        .isEqualTo(IteratorPosition.of("orders", 3, 7, 12345, START.toEpochMilli()));
  }

  @Test
  void roundTripsExtremeValues() {
    String longName = "s".repeat(IteratorPosition.MAX_STREAM_NAME_LENGTH);
    IteratorPosition extreme =
        IteratorPosition.of(longName, Long.MIN_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE, 0);
    String iterator = iterators.encode(extreme);
    assertThat(iterator.length()).isLessThanOrEqualTo(232);
    assertThat(iterator).matches("[A-Za-z0-9_-]+");
    assertThat(iterators.decode(iterator))
        .isEqualTo(extreme.withIssuedAtMillis(START.toEpochMilli()));
    IteratorPosition small = IteratorPosition.of("a", 0, 0, 0, 0);
    assertThat(iterators.decode(iterators.encode(small)))
        .isEqualTo(small.withIssuedAtMillis(START.toEpochMilli()));
  }

  @Test
  void flippingAnyCharacterIsRejected() {
    String iterator = iterators.encode(position());
    for (int i = 0; i < iterator.length(); i++) {
      for (int shift = 1; shift < ALPHABET.length(); shift += 13) {
        char original = iterator.charAt(i);
        char replacement = ALPHABET.charAt((ALPHABET.indexOf(original) + shift) % 64);
        String tampered = iterator.substring(0, i) + replacement + iterator.substring(i + 1);
        assertThatThrownBy(() -> iterators.decode(tampered))
            .as("position %s -> %s", i, replacement)
            .isInstanceOf(InvalidArgumentException.class)
            .hasMessageContaining("Invalid ShardIterator");
      }
    }
  }

  @Test
  void editingThePayloadAndKeepingTheMacIsRejected() {
    byte[] token = Base64.getUrlDecoder().decode(iterators.encode(position()));
    token[1 + 8 + 8 + 3] ^= 1; // the low byte of the shard ordinal
    String edited = Base64.getUrlEncoder().withoutPadding().encodeToString(token);
    assertThatThrownBy(() -> iterators.decode(edited))
        .isInstanceOf(InvalidArgumentException.class);
  }

  @Test
  void truncatedOrExtendedIteratorsAreRejected() {
    String iterator = iterators.encode(position());
    for (int length = 0; length < iterator.length(); length++) {
      String truncated = iterator.substring(0, length);
      assertThatThrownBy(() -> iterators.decode(truncated))
          .isInstanceOf(InvalidArgumentException.class);
    }
    assertThatThrownBy(() -> iterators.decode(iterator + "A"))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> iterators.decode(iterator + "AAAA"))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> iterators.decode(iterator + "="))
        .isInstanceOf(InvalidArgumentException.class);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"x", "!!!!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
  void garbageIsRejected(String iterator) {
    assertThatThrownBy(() -> iterators.decode(iterator))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessage("Invalid ShardIterator.");
  }

  @Test
  void overlongInputIsRejectedBeforeDecoding() {
    assertThatThrownBy(() -> iterators.decode("A".repeat(100_000)))
        .isInstanceOf(InvalidArgumentException.class);
  }

  @Test
  void anotherSecretRejectsTheIterator() {
    byte[] other = SECRET.clone();
    other[0] ^= 1;
    String iterator = iterators.encode(position());
    assertThatThrownBy(() -> new ShardIterators(other, clock, TTL).decode(iterator))
        .isInstanceOf(InvalidArgumentException.class);
    assertThat(new ShardIterators(SECRET.clone(), clock, TTL).decode(iterator).offset())
        .isEqualTo(12345);
  }

  @Test
  void expiresAfterTheTimeToLive() {
    String iterator = iterators.encode(position());
    clock.advance(TTL);
    assertThat(iterators.decode(iterator).offset()).isEqualTo(12345);
    clock.advance(Duration.ofMillis(1));
    assertThatThrownBy(() -> iterators.decode(iterator))
        .isInstanceOf(ExpiredIteratorException.class)
        .hasMessage(
            "Iterator expired. The iterator was created at time 2024-05-01T10:00:00Z while right"
                + " now it is 2024-05-01T10:05:00.001Z which is further in the future than the"
                + " tolerated delay of 300000 milliseconds.");
  }

  @Test
  void aForgedIteratorIsInvalidEvenWhenItWouldBeExpired() {
    String iterator = iterators.encode(position());
    clock.advance(Duration.ofHours(1));
    byte[] other = SECRET.clone();
    other[5] ^= 1;
    assertThatThrownBy(() -> new ShardIterators(other, clock, TTL).decode(iterator))
        .isInstanceOf(InvalidArgumentException.class);
  }

  @Test
  void theSecretSurvivesARestart(@TempDir Path folder) throws Exception {
    Path file = folder.resolve("iterator.secret");
    byte[] secret = ShardIterators.loadOrCreateSecret(file);
    assertThat(secret).hasSize(32);
    assertThat(Files.size(file)).isEqualTo(32);
    String iterator = new ShardIterators(secret, clock, TTL).encode(position());

    byte[] reloaded = ShardIterators.loadOrCreateSecret(file);
    assertThat(reloaded).isEqualTo(secret);
    assertThat(new ShardIterators(reloaded, clock, TTL).decode(iterator).shardOrdinal())
        .isEqualTo(7);
  }

  @Test
  void rejectsWeakSecretsAndNonPositiveTtl() {
    assertThatThrownBy(() -> new ShardIterators(new byte[15], clock, TTL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("15");
    assertThatThrownBy(() -> new ShardIterators(SECRET, clock, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theConstructorCopiesTheSecret() {
    byte[] secret = SECRET.clone();
    ShardIterators own = new ShardIterators(secret, clock, TTL);
    String iterator = own.encode(position());
    secret[0] ^= 1;
    assertThat(own.decode(iterator).offset()).isEqualTo(12345);
  }

  @Test
  void positionValidatesItsFields() {
    assertThatThrownBy(() -> IteratorPosition.of("", 0, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IteratorPosition.of("s".repeat(129), 0, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IteratorPosition.of("s", 0, -1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IteratorPosition.of("s", 0, 0, -1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(position().withOffset(99).offset()).isEqualTo(99);
  }
}
