package dev.freshet.examples.fraud;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Seeded card transactions: ordinary payments (5 to 150) of cards chosen at random, spread evenly
 * over the span, plus two kinds of fraud on one card in ten: card testing (six small payments, 4
 * seconds apart, inside one minute) and a spree (two payments of 1,100 to 1,600, 15 seconds apart,
 * inside one minute). Amounts have two decimals. The same seed and settings give the same
 * transactions, in event-time order.
 */
public final class TransactionGenerator {
  private static final String[] MERCHANTS = {
    "grocer", "fuel", "books", "coffee", "pharmacy", "electronics", "travel", "fashion"
  };

  private TransactionGenerator() {}

  /** {@code ordinary} ordinary transactions of {@code cards} cards over {@code span}, plus the frauds. */
  public static List<CardTransaction> transactions(long seed, int cards, int ordinary, Instant start, Duration span) {
    checkArgument(cards >= 1 && cards <= 9999, "cards must be between 1 and 9999, but was: %s", cards);
    checkArgument(ordinary >= 0, "transactions must be 0 or more, but was: %s", ordinary);
    checkArgument(span.toMinutes() >= 1, "the span must be at least a minute, but was: %s", span);
    Random random = new Random(seed);
    List<CardTransaction> all = new ArrayList<>();
    for (int i = 0; i < ordinary; i++) {
      Instant at = start.plusMillis(i * span.toMillis() / Math.max(1, ordinary));
      all.add(transaction(all.size(), card(random.nextInt(cards)), 5 + random.nextInt(14_501) / 100.0,
          MERCHANTS[random.nextInt(MERCHANTS.length)], at));
    }
    long minutes = span.toMinutes();
    for (int c = 0; c < cards; c++) {
      if (random.nextInt(10) != 0) {
        continue;
      }
      Instant minute = start.plus(Duration.ofMinutes(random.nextInt((int) minutes)));
      if (random.nextBoolean()) {
        Instant first = minute.plusSeconds(random.nextInt(30));
        for (int k = 0; k < 6; k++) {
          all.add(transaction(all.size(), card(c), 1 + random.nextInt(1_900) / 100.0, "online", first.plusSeconds(4L * k)));
        }
      } else {
        Instant first = minute.plusSeconds(random.nextInt(40));
        for (int k = 0; k < 2; k++) {
          all.add(transaction(all.size(), card(c), 1_100 + random.nextInt(50_001) / 100.0, "electronics",
              first.plusSeconds(15L * k)));
        }
      }
    }
    all.sort(Comparator.comparing(CardTransaction::eventTime).thenComparing(CardTransaction::transactionId));
    return all;
  }

  private static String card(int index) {
    return String.format("card-%04d", index + 1);
  }

  private static CardTransaction transaction(int index, String card, double amount, String merchant, Instant at) {
    return new CardTransaction(String.format("t-%06d", index + 1), card, amount, merchant, at);
  }
}
