package dev.freshet.examples.logs;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Seeded lines of an Apache access log in the combined format, one request a second from {@code
 * start}: {@code 10.0.3.17 - alice [01/Jan/2026:10:00:00 +0000] "GET /c/shoes HTTP/1.1" 200 5120
 * "https://www.google.com/" "Mozilla/5.0 (X11; Linux x86_64)"}. Most requests are anonymous ({@code
 * -}), most answers 200, a few 304, 404 and 500.
 */
public final class AccessLogGenerator {
  /** The time format of the combined log format, in UTC. */
  public static final DateTimeFormatter LOG_TIME =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  private static final String[] PATHS = {
    "/", "/search?q=boots", "/c/shoes", "/c/bags", "/p/shoes/1004", "/p/bags/1017", "/cart", "/checkout",
    "/static/app.js", "/static/site.css", "/help", "/account"
  };
  private static final String[] USERS = {"-", "-", "-", "alice", "bob"};
  private static final String[] REFERERS = {"-", "https://www.google.com/", "https://shop.example.com/"};
  private static final String[] AGENTS = {
    "Mozilla/5.0 (X11; Linux x86_64)", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)", "curl/8.5.0"
  };

  private AccessLogGenerator() {}

  /** One request of the log, as the fields the agent's LOGTOJSON gives it ({@code -} for none). */
  public record Request(String host, String user, Instant time, String request, int status, long bytes,
      String referer, String agent) {
    /** The request as a line of the combined log format, without the line end. */
    public String line() {
      return String.format(Locale.ROOT, "%s - %s [%s] \"%s\" %d %d \"%s\" \"%s\"", host, user, LOG_TIME.format(time),
          request, status, bytes, referer, agent);
    }
  }

  /** {@code count} requests, the first seeded by {@code seed} at {@code start}, then one a second. */
  public static List<Request> requests(long seed, int count, Instant start) {
    checkArgument(count >= 0, "count must be 0 or more, but was: %s", count);
    Random random = new Random(seed);
    List<Request> requests = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int roll = random.nextInt(100);
      int status = roll < 85 ? 200 : roll < 92 ? 304 : roll < 98 ? 404 : 500;
      requests.add(new Request("10.0." + random.nextInt(8) + "." + (1 + random.nextInt(254)),
          USERS[random.nextInt(USERS.length)], start.plusSeconds(i),
          (random.nextInt(10) == 0 ? "POST " : "GET ") + PATHS[random.nextInt(PATHS.length)] + " HTTP/1.1",
          status, status == 304 ? 0 : 200 + random.nextInt(20_000),
          REFERERS[random.nextInt(REFERERS.length)], AGENTS[random.nextInt(AGENTS.length)]));
    }
    return requests;
  }
}
