package dev.freshet.examples.fraud;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * One card payment, written to a stream as one JSON object with the card id as partition key:
 * {@code {"transaction_id":"t-000001","card_id":"card-0042","amount":12.5,"merchant":"grocer",
 * "event_time":"2026-01-01T10:00:00Z"}}. Amounts have two decimals.
 */
public record CardTransaction(String transactionId, String cardId, double amount, String merchant, Instant eventTime) {
  public CardTransaction {
    requireNonNull(transactionId, "transactionId");
    requireNonNull(cardId, "cardId");
    requireNonNull(merchant, "merchant");
    requireNonNull(eventTime, "eventTime");
  }

  /** The transaction as one line of JSON. */
  public String toJson() {
    return String.format(Locale.ROOT,
        "{\"transaction_id\":\"%s\",\"card_id\":\"%s\",\"amount\":%.2f,\"merchant\":\"%s\",\"event_time\":\"%s\"}",
        transactionId, cardId, amount, merchant, eventTime);
  }

  /** {@link #toJson()} as UTF-8, the record's data. */
  public byte[] toJsonBytes() {
    return toJson().getBytes(StandardCharsets.UTF_8);
  }
}
