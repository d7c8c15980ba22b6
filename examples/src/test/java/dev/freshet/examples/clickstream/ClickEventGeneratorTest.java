package dev.freshet.examples.clickstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClickEventGeneratorTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private static List<ClickEvent> generate(long seed, int count) {
    ClickEventGenerator generator = ClickEventGenerator.create(seed, 1_000);
    List<ClickEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(generator.next(START.plusMillis(100L * i)));
    }
    return events;
  }

  @Test
  void sameSeedGivesSameEvents() {
    assertThat(generate(7, 2_000)).isEqualTo(generate(7, 2_000));
    assertThat(generate(7, 2_000)).isNotEqualTo(generate(8, 2_000));
  }

  @Test
  void pagePopularityIsSkewed() {
    Map<String, Integer> views = new HashMap<>();
    for (ClickEvent event : generate(1, 50_000)) {
      views.merge(event.page(), 1, Integer::sum);
    }
    List<Integer> counts = new ArrayList<>(views.values());
    counts.sort((a, b) -> b - a);
    assertThat(views.get("/")).isEqualTo(counts.get(0));
    int topTen = counts.subList(0, 10).stream().mapToInt(Integer::intValue).sum();
    assertThat(topTen).isGreaterThan(50_000 / 2);
    assertThat(views).containsKeys("/cart", "/checkout", "/checkout/confirmation");
  }

  @Test
  void sessionsContinueWithInternalReferrers() {
    Map<String, ClickEvent> lastBySession = new HashMap<>();
    Map<String, String> userBySession = new HashMap<>();
    int continued = 0;
    for (ClickEvent event : generate(3, 20_000)) {
      ClickEvent previous = lastBySession.put(event.sessionId(), event);
      assertThat(userBySession.putIfAbsent(event.sessionId(), event.userId()))
          .isIn(null, event.userId());
      if (previous == null) {
        assertThat(event.referrer()).doesNotStartWith(ClickEventGenerator.SITE);
      } else {
        assertThat(event.referrer()).isEqualTo(ClickEventGenerator.SITE + previous.page());
        assertThat(Duration.between(previous.timestamp(), event.timestamp()))
            .isLessThanOrEqualTo(ClickEventGenerator.SESSION_TIMEOUT);
        continued++;
      }
    }
    assertThat(continued).isGreaterThan(20_000 / 2);
    assertThat(lastBySession.size()).isGreaterThan(1_000);
  }

  @Test
  void jsonHasEveryFieldAndTheUserIsTheKey() {
    ClickEvent event = new ClickEvent("user-000001", "s1", "/p/\"x\"", "", START);
    assertThat(event.toJson())
        .isEqualTo("{\"userId\":\"user-000001\",\"sessionId\":\"s1\",\"page\":\"/p/\\\"x\\\"\","
            + "\"referrer\":\"\",\"timestamp\":\"2026-01-01T00:00:00Z\"}");
    assertThat(event.partitionKey()).isEqualTo("user-000001");
  }
}
