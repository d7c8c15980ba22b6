package dev.freshet.kinesis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ShardThrottleTest {
  private static final long MIB = 1L << 20;

  private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));
  private final ShardThrottle throttle = new ShardThrottle(clock);

  @Test
  void allowsABurstOfOneSecondOfRecordsThenRefillsContinuously() {
    for (int i = 0; i < 1_000; i++) {
      assertThat(throttle.tryAcquireWrite(1, 10)).as("record %s", i).isTrue();
    }
    assertThat(throttle.tryAcquireWrite(1, 10)).isFalse();
    clock.advance(Duration.ofMillis(1)); // 1,000/s refills one record per millisecond
    assertThat(throttle.tryAcquireWrite(1, 10)).isTrue();
    assertThat(throttle.tryAcquireWrite(1, 10)).isFalse();
    clock.advance(Duration.ofMillis(10));
    for (int i = 0; i < 10; i++) {
      assertThat(throttle.tryAcquireWrite(1, 10)).isTrue();
    }
    assertThat(throttle.tryAcquireWrite(1, 10)).isFalse();
  }

  @Test
  void limitsWriteBytesToOneMibPerSecond() {
    assertThat(throttle.tryAcquireWrite(1, MIB)).isTrue();
    assertThat(throttle.tryAcquireWrite(1, 1)).isFalse();
    clock.advance(Duration.ofMillis(500));
    assertThat(throttle.tryAcquireWrite(1, MIB / 2 + 1)).isFalse();
    assertThat(throttle.tryAcquireWrite(1, MIB / 2)).isTrue();
  }

  @Test
  void theBurstIsCappedAtOneSecondAfterIdling() {
    clock.advance(Duration.ofHours(3));
    assertThat(throttle.tryAcquireWrite(1_000, MIB)).isTrue();
    assertThat(throttle.tryAcquireWrite(1, 0)).isFalse();
    assertThat(throttle.tryAcquireWrite(1_001, 0)).isFalse();
  }

  @Test
  void aWriteIsAllOrNothing() {
    assertThat(throttle.tryAcquireWrite(900, 0)).isTrue();
    // Enough bytes but not enough records: nothing is taken.
    assertThat(throttle.tryAcquireWrite(200, MIB)).isFalse();
    assertThat(throttle.tryAcquireWrite(0, MIB)).isTrue();
    // Enough records but not enough bytes: nothing is taken.
    assertThat(throttle.tryAcquireWrite(100, 1)).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(throttle.tryAcquireWrite(1_000, MIB)).isTrue();
  }

  @Test
  void aWriteLargerThanOneSecondNeverFits() {
    clock.advance(Duration.ofDays(1));
    assertThat(throttle.tryAcquireWrite(1_001, 1)).isFalse();
    assertThat(throttle.tryAcquireWrite(1, MIB + 1)).isFalse();
    assertThat(throttle.tryAcquireWrite(1, MIB)).isTrue();
  }

  @Test
  void limitsReadsToFiveCallsPerSecond() {
    for (int i = 0; i < 5; i++) {
      assertThat(throttle.tryAcquireRead()).isTrue();
    }
    assertThat(throttle.tryAcquireRead()).isFalse();
    clock.advance(Duration.ofMillis(199));
    assertThat(throttle.tryAcquireRead()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(throttle.tryAcquireRead()).isTrue();
    assertThat(throttle.tryAcquireRead()).isFalse();
  }

  @Test
  void aTenMibReadBlocksReadsUntilTheDebtIsRepaid() {
    assertThat(throttle.readBytesAvailable()).isTrue();
    throttle.recordReadBytes(10 * MIB);
    assertThat(throttle.readBytesAvailable()).isFalse();
    clock.advance(Duration.ofSeconds(4)); // 8 MiB of debt at 2 MiB/s
    assertThat(throttle.readBytesAvailable()).isFalse();
    clock.advance(Duration.ofNanos(1));
    assertThat(throttle.readBytesAvailable()).isTrue();
  }

  @Test
  void aTenMibReadFromAnEmptyBucketBlocksForFiveSeconds() {
    throttle.recordReadBytes(2 * MIB);
    throttle.recordReadBytes(10 * MIB);
    clock.advance(Duration.ofMillis(4_999));
    assertThat(throttle.readBytesAvailable()).isFalse();
    clock.advance(Duration.ofMillis(2));
    assertThat(throttle.readBytesAvailable()).isTrue();
  }

  @Test
  void readBytesAndReadCallsAreIndependent() {
    throttle.recordReadBytes(10 * MIB);
    assertThat(throttle.tryAcquireRead()).isTrue();
    for (int i = 0; i < 4; i++) {
      throttle.tryAcquireRead();
    }
    assertThat(throttle.tryAcquireRead()).isFalse();
    assertThat(throttle.tryAcquireWrite(1, 1)).isTrue();
  }

  @Test
  void hugeDeductionsDoNotOverflow() {
    for (int i = 0; i < 10; i++) {
      throttle.recordReadBytes(Long.MAX_VALUE);
    }
    assertThat(throttle.readBytesAvailable()).isFalse();
    clock.advance(Duration.ofDays(365 * 100));
    assertThat(throttle.readBytesAvailable()).isTrue();
  }

  @Test
  void aClockSteppingBackDoesNotRefill() {
    throttle.tryAcquireWrite(1_000, 0);
    clock.advance(Duration.ofSeconds(-10));
    assertThat(throttle.tryAcquireWrite(1, 0)).isFalse();
    clock.advance(Duration.ofSeconds(10));
    assertThat(throttle.tryAcquireWrite(1, 0)).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(throttle.tryAcquireWrite(1, 0)).isTrue();
  }

  @Test
  void rejectsNegativeAmounts() {
    assertThatThrownBy(() -> throttle.tryAcquireWrite(-1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> throttle.tryAcquireWrite(1, -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> throttle.recordReadBytes(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void concurrentWritersNeverExceedTheBurst() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Integer>> writers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        writers.add(
            () -> {
              int granted = 0;
              for (int i = 0; i < 500; i++) {
                if (throttle.tryAcquireWrite(1, 1)) {
                  granted++;
                }
              }
              return granted;
            });
      }
      int total = 0;
      for (Future<Integer> granted : pool.invokeAll(writers)) {
        total += granted.get();
      }
      assertThat(total).isEqualTo(1_000);
    } finally {
      pool.shutdownNow();
    }
  }
}
