package dev.freshet.examples.clickstream;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded source of realistic click events for one web shop.
 *
 * <pre>{@code
 * ClickEventGenerator clicks = ClickEventGenerator.create(42);   // the seed is required
 * ClickEvent event = clicks.next(Instant.now());                  // the event time is the caller's
 * client.putRecord("clickstream", PutRecordsEntry.of(event.partitionKey(), event.toJsonBytes()), null);
 * }</pre>
 *
 * <p>What makes the traffic realistic enough for windowed analytics and hot-key experiments:
 *
 * <ul>
 *   <li>page popularity is Zipf-like: the home page and a few categories take most views, a long
 *       tail of product and blog pages the rest, and a visitor sometimes goes from a product to the
 *       cart and on to checkout;
 *   <li>user activity is skewed too: a minority of users make most clicks;
 *   <li>clicks come in sessions of a few pages (about {@value #MEAN_SESSION_PAGES} on average); a
 *       session ends after its pages or after {@link #SESSION_TIMEOUT} without a click, and the next
 *       click of that user starts a new one;
 *   <li>the first page of a session has an external referrer (search engines, social sites, a
 *       newsletter, or none for a direct visit); later pages name the previous page.
 * </ul>
 *
 * <p>The same seed and the same sequence of timestamps give the same events. Not thread-safe.
 */
public final class ClickEventGenerator {
  /** The site the pages belong to; internal referrers start with it. */
  public static final String SITE = "https://shop.example.com";

  /** A user's session ends after this long without a click, as web analytics tools count it. */
  public static final Duration SESSION_TIMEOUT = Duration.ofMinutes(30);

  static final int MEAN_SESSION_PAGES = 6;

  private static final int DEFAULT_USERS = 10_000;

  private static final String[] CATEGORIES = {
    "shoes", "jackets", "bags", "watches", "outdoor", "kitchen", "books", "toys"
  };

  private static final String[] REFERRERS = {
    "https://www.google.com/", "", "https://www.facebook.com/", "https://news.example-newsletter.com/",
    "https://www.bing.com/", "https://t.co/", "https://www.reddit.com/", "https://duckduckgo.com/",
    "https://www.instagram.com/", "https://news.ycombinator.com/"
  };
  private static final double[] REFERRER_WEIGHTS = {
    0.42, 0.22, 0.08, 0.06, 0.05, 0.05, 0.04, 0.03, 0.03, 0.02
  };

  private final Random random;
  private final List<String> pages;
  private final ZipfSampler pagePopularity;
  private final ZipfSampler userActivity;
  private final int[] userIdByActivityRank;
  private final Map<Integer, Session> sessions = new HashMap<>();

  /** A generator over 10,000 users. */
  public static ClickEventGenerator create(long seed) {
    return create(seed, DEFAULT_USERS);
  }

  /** A generator over {@code users} users (at least 1). */
  public static ClickEventGenerator create(long seed, int users) {
    checkArgument(users >= 1, "users must be at least 1, but was: %s", users);
    return new ClickEventGenerator(seed, users);
  }

  private ClickEventGenerator(long seed, int users) {
    this.random = new Random(seed);
    this.pages = catalogue(random);
    this.pagePopularity = new ZipfSampler(pages.size(), 1.1);
    this.userActivity = new ZipfSampler(users, 0.8);
    this.userIdByActivityRank = shuffledIdentity(users, random);
  }

  /** The pages of the site, most popular first. */
  public List<String> pages() {
    return Collections.unmodifiableList(pages);
  }

  /** The next click, happening at {@code timestamp}. */
  public ClickEvent next(Instant timestamp) {
    int user = userIdByActivityRank[userActivity.sample(random)];
    Session session = sessions.get(user);
    String referrer;
    String page;
    if (session == null
        || session.pagesLeft == 0
        || Duration.between(session.lastClick, timestamp).compareTo(SESSION_TIMEOUT) > 0) {
      session = new Session(sessionId(), sessionLength());
      sessions.put(user, session);
      referrer = REFERRERS[weightedIndex(REFERRER_WEIGHTS)];
      page = referrer.startsWith("https://news.example-newsletter.com") ? "/deals" : popularPage();
    } else {
      referrer = SITE + session.lastPage;
      page = nextPage(session.lastPage);
    }
    session.lastPage = page;
    session.lastClick = timestamp;
    session.pagesLeft = page.equals("/checkout/confirmation") ? 0 : session.pagesLeft - 1;
    return new ClickEvent(String.format("user-%06d", user), session.id, page, referrer, timestamp);
  }

  /** Product pages lead to the cart and the cart to checkout more often than chance would. */
  private String nextPage(String previous) {
    double roll = random.nextDouble();
    if (previous.startsWith("/p/") && roll < 0.15) {
      return "/cart";
    }
    if (previous.equals("/cart") && roll < 0.35) {
      return "/checkout";
    }
    if (previous.equals("/checkout") && roll < 0.6) {
      return "/checkout/confirmation";
    }
    return popularPage();
  }

  private String popularPage() {
    return pages.get(pagePopularity.sample(random));
  }

  /** Geometric, at least one page, with the mean above. */
  private int sessionLength() {
    double p = 1.0 / MEAN_SESSION_PAGES;
    return 1 + (int) Math.floor(Math.log(1 - random.nextDouble()) / Math.log(1 - p));
  }

  private String sessionId() {
    return String.format("%016x", random.nextLong());
  }

  private int weightedIndex(double[] weights) {
    double roll = random.nextDouble();
    double sum = 0;
    for (int i = 0; i < weights.length; i++) {
      sum += weights[i];
      if (roll < sum) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /** The home page, search and categories head the list; products and articles form the tail. */
  private static List<String> catalogue(Random random) {
    List<String> head = new ArrayList<>(List.of("/", "/search", "/deals"));
    for (String category : CATEGORIES) {
      head.add("/c/" + category);
    }
    List<String> tail = new ArrayList<>();
    for (String category : CATEGORIES) {
      for (int product = 1; product <= 25; product++) {
        tail.add(String.format("/p/%s/%d", category, 1000 + product));
      }
    }
    for (int post = 1; post <= 12; post++) {
      tail.add("/blog/" + post);
    }
    tail.addAll(List.of("/cart", "/account", "/help", "/about"));
    Collections.shuffle(tail, random);
    // Checkout pages are not in the list: they are reached only through the cart.
    head.addAll(tail);
    return head;
  }

  private static int[] shuffledIdentity(int n, Random random) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = ids[i];
      ids[i] = ids[j];
      ids[j] = swap;
    }
    return ids;
  }

  private static final class Session {
    final String id;
    int pagesLeft;
    String lastPage = "";
    Instant lastClick = Instant.EPOCH;

    Session(String id, int pagesLeft) {
      this.id = id;
      this.pagesLeft = pagesLeft;
    }
  }
}
