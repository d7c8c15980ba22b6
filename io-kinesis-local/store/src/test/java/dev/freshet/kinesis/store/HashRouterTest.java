package dev.freshet.kinesis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.HashKeyRange;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.ValidationException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class HashRouterTest {
  private static final BigInteger MAX = HashKeyRange.MAX_HASH_KEY;
  private static final BigInteger TWO_128 = BigInteger.ONE.shiftLeft(128);

  private static int[] ordinals(int n) {
    int[] ordinals = new int[n];
    for (int i = 0; i < n; i++) {
      ordinals[i] = 100 + i;
    }
    return ordinals;
  }

  @Test
  void hashKeyIsTheMd5OfTheUtf8KeyAsAnUnsignedInteger() {
    // Expected values computed independently (Python hashlib).
    assertThat(HashRouter.hashKey(""))
        .isEqualTo(new BigInteger("281949768489412648962353822266799178366"));
    assertThat(HashRouter.hashKey("a"))
        .isEqualTo(new BigInteger("16955237001963240173058271559858726497"));
    assertThat(HashRouter.hashKey("partitionKey-1"))
        .isEqualTo(new BigInteger("159499196025307651934328298402289840726"));
    assertThat(HashRouter.hashKey("h\u00e9llo \uD83C\uDF0A"))
        .isEqualTo(new BigInteger("290184526620450396162642060319447956432"));
  }

  @Test
  void evenRangesMatchTheService() {
    assertThat(HashRouter.evenRanges(1)).containsExactly(HashKeyRange.all());
    assertThat(HashRouter.evenRanges(2))
        .containsExactly(
            HashKeyRange.of(
                BigInteger.ZERO, new BigInteger("170141183460469231731687303715884105727")),
            HashKeyRange.of(new BigInteger("170141183460469231731687303715884105728"), MAX));
    assertThat(HashRouter.evenRanges(3))
        .containsExactly(
            HashKeyRange.of(
                BigInteger.ZERO, new BigInteger("113427455640312821154458202477256070484")),
            HashKeyRange.of(
                new BigInteger("113427455640312821154458202477256070485"),
                new BigInteger("226854911280625642308916404954512140969")),
            HashKeyRange.of(new BigInteger("226854911280625642308916404954512140970"), MAX));
    assertThatThrownBy(() -> HashRouter.evenRanges(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void evenRangesTileTheSpaceForManyCounts() {
    for (int n : new int[] {1, 2, 3, 4, 5, 7, 10, 64, 100, 999}) {
      List<HashKeyRange> ranges = HashRouter.evenRanges(n);
      assertThat(ranges).hasSize(n);
      HashRouter router = HashRouter.of(ranges, ordinals(n));
      assertThat(router.shardCount()).isEqualTo(n);
      for (int i = 0; i < n; i++) {
        assertThat(ranges.get(i).startingHashKey())
            .isEqualTo(TWO_128.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(n)));
      }
    }
  }

  @Test
  void routesBoundariesToTheOwningShard() {
    for (int n : new int[] {1, 2, 3, 5, 16, 17}) {
      List<HashKeyRange> ranges = HashRouter.evenRanges(n);
      HashRouter router = HashRouter.of(ranges, ordinals(n));
      for (int i = 0; i < n; i++) {
        HashKeyRange range = ranges.get(i);
        assertThat(router.route(range.startingHashKey())).isEqualTo(100 + i);
        assertThat(router.route(range.endingHashKey())).isEqualTo(100 + i);
      }
      assertThat(router.route(BigInteger.ZERO)).isEqualTo(100);
      assertThat(router.route(MAX)).isEqualTo(100 + n - 1);
    }
  }

  @Test
  void routesAcrossTheSignBitOfTheHighWord() {
    // Ranges split at 2^127 and 2^63: wrong with signed long comparisons.
    BigInteger half = BigInteger.ONE.shiftLeft(127);
    BigInteger low63 = BigInteger.ONE.shiftLeft(63);
    List<HashKeyRange> ranges =
        List.of(
            HashKeyRange.of(BigInteger.ZERO, low63.subtract(BigInteger.ONE)),
            HashKeyRange.of(low63, half.subtract(BigInteger.ONE)),
            HashKeyRange.of(half, half.add(low63).subtract(BigInteger.ONE)),
            HashKeyRange.of(half.add(low63), MAX));
    HashRouter router = HashRouter.of(ranges, new int[] {0, 1, 2, 3});
    assertThat(router.route(low63.subtract(BigInteger.ONE))).isEqualTo(0);
    assertThat(router.route(low63)).isEqualTo(1);
    assertThat(router.route(half.subtract(BigInteger.ONE))).isEqualTo(1);
    assertThat(router.route(half)).isEqualTo(2);
    assertThat(router.route(half.add(low63).subtract(BigInteger.ONE))).isEqualTo(2);
    assertThat(router.route(half.add(low63))).isEqualTo(3);
  }

  @Test
  void partitionKeyRoutingAgreesWithTheRangeThatContainsItsHashKey() {
    int n = 7;
    List<HashKeyRange> ranges = HashRouter.evenRanges(n);
    HashRouter router = HashRouter.of(ranges, ordinals(n));
    Random random = new Random(11);
    for (int i = 0; i < 5_000; i++) {
      String key = Long.toString(random.nextLong(), 36);
      BigInteger hashKey = HashRouter.hashKey(key);
      int expected = -1;
      for (int r = 0; r < n; r++) {
        if (ranges.get(r).contains(hashKey)) {
          expected = 100 + r;
        }
      }
      assertThat(router.route(key)).as(key).isEqualTo(expected);
      assertThat(router.route(hashKey)).isEqualTo(expected);
    }
  }

  @Test
  void acceptsRangesInAnyOrderKeepingTheirOrdinals() {
    List<HashKeyRange> ranges = new ArrayList<>(HashRouter.evenRanges(4));
    int[] ordinals = {7, 3, 9, 5};
    List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
    Collections.reverse(order);
    List<HashKeyRange> shuffled = new ArrayList<>();
    int[] shuffledOrdinals = new int[4];
    for (int i = 0; i < 4; i++) {
      shuffled.add(ranges.get(order.get(i)));
      shuffledOrdinals[i] = ordinals[order.get(i)];
    }
    HashRouter router = HashRouter.of(shuffled, shuffledOrdinals);
    for (int i = 0; i < 4; i++) {
      assertThat(router.route(ranges.get(i).startingHashKey())).isEqualTo(ordinals[i]);
    }
  }

  @Test
  void isNotChangedByLaterChangesToTheOrdinalArray() {
    int[] ordinals = {1, 2};
    HashRouter router = HashRouter.of(HashRouter.evenRanges(2), ordinals);
    ordinals[0] = 99;
    assertThat(router.route(BigInteger.ZERO)).isEqualTo(1);
  }

  @Test
  void rejectsRangesThatDoNotTileTheSpace() {
    BigInteger mid = BigInteger.ONE.shiftLeft(127);
    HashKeyRange lower = HashKeyRange.of(BigInteger.ZERO, mid.subtract(BigInteger.ONE));
    assertThatThrownBy(
            () ->
                HashRouter.of(
                    List.of(lower, HashKeyRange.of(mid.add(BigInteger.ONE), MAX)),
                    new int[] {0, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gap");
    assertThatThrownBy(
            () ->
                HashRouter.of(
                    List.of(lower, HashKeyRange.of(mid.subtract(BigInteger.ONE), MAX)),
                    new int[] {0, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("overlap");
    assertThatThrownBy(() -> HashRouter.of(List.of(lower), new int[] {0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("last range");
    assertThatThrownBy(
            () -> HashRouter.of(List.of(HashKeyRange.of(BigInteger.ONE, MAX)), new int[] {0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gap");
    assertThatThrownBy(() -> HashRouter.of(List.of(), new int[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HashRouter.of(List.of(HashKeyRange.all()), new int[] {0, 1}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parsesExplicitHashKeys() {
    assertThat(HashRouter.parseExplicitHashKey("0")).isEqualTo(BigInteger.ZERO);
    assertThat(HashRouter.parseExplicitHashKey(MAX.toString())).isEqualTo(MAX);
    assertThat(HashRouter.parseExplicitHashKey("12345")).isEqualTo(BigInteger.valueOf(12345));
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(
      strings = {
        "", "-1", "007", "1.5", "abc", "1e5", " 1", "1234567890123456789012345678901234567890"
      })
  void rejectsExplicitHashKeysThatAreNotDecimals(String value) {
    assertThatThrownBy(() -> HashRouter.parseExplicitHashKey(value))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("'" + value + "'");
  }

  @Test
  void rejectsExplicitHashKeysAboveTheSpace() {
    String tooBig = TWO_128.toString();
    assertThatThrownBy(() -> HashRouter.parseExplicitHashKey(tooBig))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining(tooBig);
    HashRouter router = HashRouter.of(List.of(HashKeyRange.all()), new int[] {0});
    assertThatThrownBy(() -> router.route(TWO_128)).isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> router.route(BigInteger.valueOf(-1)))
        .isInstanceOf(InvalidArgumentException.class);
  }
}
