package dev.freshet.kinesis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.ValidationException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class SequenceNumbersTest {

  @Test
  void formatsFixedWidthWithPrefixOrdinalAndOffset() {
    assertThat(SequenceNumbers.format(0, 0)).isEqualTo("49" + "00000000" + "00000000000000000000");
    assertThat(SequenceNumbers.format(1, 42)).isEqualTo("49" + "00000001" + "00000000000000000042");
    assertThat(SequenceNumbers.format(SequenceNumbers.MAX_SHARD_ORDINAL, Long.MAX_VALUE))
        .isEqualTo("49" + "99999999" + "09223372036854775807");
  }

  @Test
  void everyNumberMatchesTheApiPattern() {
    assertThat(SequenceNumbers.format(0, 0)).matches("0|([1-9]\\d{0,128})").hasSize(30);
  }

  @Test
  void roundTripsOrdinalAndOffset() {
    Random random = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      int ordinal = random.nextInt(SequenceNumbers.MAX_SHARD_ORDINAL + 1);
      long offset = random.nextLong() & Long.MAX_VALUE;
      String number = SequenceNumbers.format(ordinal, offset);
      assertThat(SequenceNumbers.shardOrdinal(number)).isEqualTo(ordinal);
      assertThat(SequenceNumbers.offset(number)).isEqualTo(offset);
    }
  }

  @Test
  void stringOrderIsNumericOrderAndChildrenSortAfterParents() {
    List<String> numbers = new ArrayList<>();
    long[] offsets = {0, 1, 9, 10, 99, 100, 1L << 40, Long.MAX_VALUE - 1, Long.MAX_VALUE};
    for (int ordinal : new int[] {0, 1, 2, 10, 12345678}) {
      for (long offset : offsets) {
        numbers.add(SequenceNumbers.format(ordinal, offset));
      }
    }
    for (int i = 1; i < numbers.size(); i++) {
      String previous = numbers.get(i - 1);
      String next = numbers.get(i);
      assertThat(previous.compareTo(next)).isNegative();
      assertThat(new BigInteger(previous)).isLessThan(new BigInteger(next));
    }
  }

  @Test
  void rejectsOutOfRangeArgumentsToFormat() {
    assertThatThrownBy(() -> SequenceNumbers.format(-1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> SequenceNumbers.format(SequenceNumbers.MAX_SHARD_ORDINAL + 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SequenceNumbers.format(0, -5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-5");
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(
      strings = {
        "",
        "0",
        "49",
        "4900000001000000000000000000421", // 31 digits
        "49000000010000000000000000042", // 29 digits
        "4900000001000000000000000000x2",
        "49000000010000000000000000 042",
        "-49000000010000000000000000042",
      })
  void rejectsMalformedNumbersNamingThem(String number) {
    assertThatThrownBy(() -> SequenceNumbers.shardOrdinal(number))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining(String.valueOf(number));
    assertThatThrownBy(() -> SequenceNumbers.offset(number))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining(String.valueOf(number));
  }

  @Test
  void rejectsWrongPrefixAndOverflowingOffset() {
    assertThatThrownBy(() -> SequenceNumbers.shardOrdinal("500000000100000000000000000042"))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("49");
    assertThatThrownBy(() -> SequenceNumbers.offset("490000000199999999999999999999"))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("too large");
    assertThatThrownBy(() -> SequenceNumbers.offset("490000000109223372036854775808"))
        .isInstanceOf(InvalidArgumentException.class);
    assertThat(SequenceNumbers.offset("490000000109223372036854775807")).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void checkBelongsToAcceptsOwnShard() {
    SequenceNumbers.checkBelongsTo(
        SequenceNumbers.format(1, 5), 1, SequenceNumbers.shardId(1), "orders");
  }

  @Test
  void checkBelongsToRejectsOtherShardsAndForeignNumbersInTheServiceWords() {
    String fromShard0 = SequenceNumbers.format(0, 5);
    assertThatThrownBy(
            () -> SequenceNumbers.checkBelongsTo(fromShard0, 1, "shardId-000000000001", "orders"))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessage(
            "StartingSequenceNumber "
                + fromShard0
                + " used in GetShardIterator on shard shardId-000000000001 in stream orders"
                + " under account 000000000000 is invalid because it did not come from this"
                + " stream.");
    // A real service number: long, valid pattern, not ours.
    String foreign = "49590338271490256608559692538361571095921575989136588898";
    assertThatThrownBy(
            () -> SequenceNumbers.checkBelongsTo(foreign, 0, "shardId-000000000000", "orders"))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining(foreign);
    assertThatThrownBy(
            () -> SequenceNumbers.checkBelongsTo(null, 0, "shardId-000000000000", "orders"))
        .isInstanceOf(InvalidArgumentException.class);
  }

  @Test
  void shardIdsRoundTrip() {
    assertThat(SequenceNumbers.shardId(0)).isEqualTo("shardId-000000000000");
    assertThat(SequenceNumbers.shardId(42)).isEqualTo("shardId-000000000042");
    assertThat(SequenceNumbers.shardId(SequenceNumbers.MAX_SHARD_ORDINAL))
        .isEqualTo("shardId-000099999999");
    for (int ordinal : new int[] {0, 1, 9, 10, 123456, SequenceNumbers.MAX_SHARD_ORDINAL}) {
      assertThat(SequenceNumbers.ordinalOf(SequenceNumbers.shardId(ordinal))).isEqualTo(ordinal);
    }
    assertThatThrownBy(() -> SequenceNumbers.shardId(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(
      strings = {
        "",
        "shardId-",
        "shardId-00000000001",
        "shardId-0000000000001",
        "shardid-000000000001",
        "shardId-00000000000a",
        "shardId-00000000000-",
        "xshardId-00000000001",
        "shardId-100000000000"
      })
  void rejectsMalformedShardIds(String shardId) {
    assertThatThrownBy(() -> SequenceNumbers.ordinalOf(shardId))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining(String.valueOf(shardId));
  }

  @Test
  void isShardIdTellsFormFromExistence() {
    assertThat(SequenceNumbers.isShardId("shardId-000000000007")).isTrue();
    assertThat(SequenceNumbers.isShardId("shard-7")).isFalse();
    assertThat(SequenceNumbers.isShardId(null)).isFalse();
  }
}
