package dev.freshet.examples.clickstream;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One page view on a website: who viewed it ({@link #userId()}), in which visit ({@link
 * #sessionId()}), which page, where the visitor came from, and when. The referrer is an external
 * site (or empty for a direct visit) on the first page of a session, and the previous page after
 * that.
 *
 * <p>Written to a stream as one JSON object per record ({@link #toJson()}) with the user id as the
 * partition key ({@link #partitionKey()}), so each user's clicks stay in order on one shard.
 */
public record ClickEvent(
    String userId, String sessionId, String page, String referrer, Instant timestamp)
    implements Serializable {

  public ClickEvent {
    requireNonNull(userId, "userId");
    requireNonNull(sessionId, "sessionId");
    requireNonNull(page, "page");
    requireNonNull(referrer, "referrer");
    requireNonNull(timestamp, "timestamp");
  }

  /** The key that routes the event to a shard: the user id. */
  public String partitionKey() {
    return userId;
  }

  /**
   * The event as one line of JSON:
   * {@code {"userId":"…","sessionId":"…","page":"…","referrer":"…","timestamp":"2026-01-01T00:00:00Z"}}.
   */
  public String toJson() {
    StringBuilder json = new StringBuilder(160);
    json.append('{');
    field(json, "userId", userId).append(',');
    field(json, "sessionId", sessionId).append(',');
    field(json, "page", page).append(',');
    field(json, "referrer", referrer).append(',');
    field(json, "timestamp", timestamp.toString());
    return json.append('}').toString();
  }

  /** {@link #toJson()} as UTF-8 bytes, the record's data. */
  public byte[] toJsonBytes() {
    return toJson().getBytes(StandardCharsets.UTF_8);
  }

  private static StringBuilder field(StringBuilder json, String name, String value) {
    json.append('"').append(name).append("\":\"");
    // Jackson would do this, but the examples' data types stay dependency-free for Beam coders.
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    return json.append('"');
  }
}
