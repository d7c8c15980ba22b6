package dev.freshet.examples.clickstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.sdk.io.StreamIO;
import dev.freshet.sdk.io.StreamRecord;
import dev.freshet.sdk.io.WatermarkPolicy;
import dev.freshet.sdk.stream.StartingPosition;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The clickstream's top pages: reads click events from a stream, counts page views per page in
 * fixed event-time windows, and hands each closed window's ranking to a listener as it closes.
 *
 * <pre>{@code
 * TopPages.apply(pipeline, TopPages.Settings.of(endpoint, "clickstream"), "my-listener");
 * TopPages.listen("my-listener", ranking -> System.out.println(ranking.format()));
 * }</pre>
 *
 * <p>Event time is the click's own timestamp; a caught-up shard stops holding the
 * watermark back (allowing 2 s of skew between a click and its arrival), so windows close a few seconds after their end. The counter {@code
 * clickstream/views} counts every click read.
 */
public final class TopPages {
  private static final Map<String, Consumer<WindowRanking>> LISTENERS = new ConcurrentHashMap<>();

  private TopPages() {}

  /** Where and how to read. */
  public record Settings(URI endpoint, String stream, StartingPosition start, Duration window, int top,
      Instant stopReadingAt) implements Serializable {
    public static Settings of(URI endpoint, String stream, Instant stopReadingAt) {
      return new Settings(endpoint, stream, StartingPosition.latest(), Duration.standardSeconds(10), 5, stopReadingAt);
    }
  }

  private static final org.joda.time.format.DateTimeFormatter TIME =
      org.joda.time.format.DateTimeFormat.forPattern("HH:mm:ss").withZoneUTC();

  /** One closed window: its bounds, total views and the most viewed pages, most first. */
  public record WindowRanking(Instant start, Instant end, long views, List<KV<String, Long>> pages)
      implements Serializable {
    public String format() {
      StringBuilder line = new StringBuilder();
      line.append(TIME.print(start)).append('–').append(TIME.print(end))
          .append(String.format("  %,8d views  ", views));
      for (int i = 0; i < pages.size(); i++) {
        line.append(i == 0 ? "" : " · ").append(pages.get(i).getKey())
            .append(String.format(" %,d", pages.get(i).getValue()));
      }
      return line.toString();
    }
  }

  /** Registers a listener in this JVM under {@code id} (used by runners in the same JVM). */
  public static void listen(String id, Consumer<WindowRanking> listener) {
    LISTENERS.put(id, listener);
  }

  public static void unlisten(String id) {
    LISTENERS.remove(id);
  }

  /** Adds the pipeline; rankings go to the listener registered as {@code listenerId}, or the log. */
  public static PCollection<WindowRanking> apply(Pipeline pipeline, Settings settings, String listenerId) {
    PCollection<WindowRanking> rankings = pipeline
        .apply("ReadClicks", StreamIO.read()
            .withStream(settings.stream())
            .withEndpoint(settings.endpoint())
            .withStartingPosition(settings.start())
            .withWatermarkPolicy(WatermarkPolicy.eventTime(TopPages::clickTime)
                .withIdleThreshold(Duration.standardSeconds(2)))
            .withStopReadingAt(settings.stopReadingAt()))
        .apply("Pages", MapElements.into(TypeDescriptors.strings()).via(TopPages::page))
        .apply("Window", Window.into(FixedWindows.of(settings.window())))
        .apply("CountPerPage", Count.perElement())
        .apply("Rank", Combine.globally(new RankFn(settings.top())).withoutDefaults())
        .apply("WithBounds", ParDo.of(new BoundsFn()))
        .setCoder(SerializableCoder.of(WindowRanking.class));
    rankings.apply("Announce", ParDo.of(new AnnounceFn(listenerId)));
    return rankings;
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode parse(StreamRecord record) {
    try {
      return JSON.readTree(record.data());
    } catch (IOException e) {
      throw new UncheckedIOException("record " + record.sequenceNumber() + " is not a click event", e);
    }
  }

  static Instant clickTime(StreamRecord record) {
    return Instant.parse(parse(record).path("timestamp").asText());
  }

  static String page(StreamRecord record) {
    VIEWS.inc();
    return parse(record).path("page").asText();
  }

  private static final Counter VIEWS = Metrics.counter("clickstream", "views");

  /** Total views and the top pages of a window. */
  static final class RankFn extends Combine.CombineFn<KV<String, Long>, RankFn.Accumulator, WindowRanking> {
    private static final long serialVersionUID = 1L;
    private final int top;

    RankFn(int top) {
      this.top = top;
    }

    static final class Accumulator implements Serializable {
      private static final long serialVersionUID = 1L;
      long views;
      final Map<String, Long> pages = new HashMap<>();

      @Override
      public boolean equals(Object other) {
        return other instanceof Accumulator && ((Accumulator) other).views == views
            && ((Accumulator) other).pages.equals(pages);
      }

      @Override
      public int hashCode() {
        return Long.hashCode(views) * 31 + pages.hashCode();
      }
    }

    @Override
    public Accumulator createAccumulator() {
      return new Accumulator();
    }

    @Override
    public Accumulator addInput(Accumulator accumulator, KV<String, Long> page) {
      accumulator.views += page.getValue();
      accumulator.pages.merge(page.getKey(), page.getValue(), Long::sum);
      return accumulator;
    }

    @Override
    public Accumulator mergeAccumulators(Iterable<Accumulator> accumulators) {
      Accumulator merged = new Accumulator();
      for (Accumulator accumulator : accumulators) {
        merged.views += accumulator.views;
        accumulator.pages.forEach((page, count) -> merged.pages.merge(page, count, Long::sum));
      }
      return merged;
    }

    @Override
    public WindowRanking extractOutput(Accumulator accumulator) {
      PriorityQueue<KV<String, Long>> best = new PriorityQueue<>(
          Comparator.comparing((KV<String, Long> kv) -> kv.getValue()).thenComparing(KV::getKey, Comparator.reverseOrder()));
      accumulator.pages.forEach((page, count) -> {
        best.add(KV.of(page, count));
        if (best.size() > top) {
          best.poll();
        }
      });
      List<KV<String, Long>> pages = new ArrayList<>(best);
      pages.sort(Comparator.comparing((KV<String, Long> kv) -> kv.getValue()).reversed().thenComparing(KV::getKey));
      return new WindowRanking(new Instant(0), new Instant(0), accumulator.views, pages);
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<Accumulator> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry registry,
        org.apache.beam.sdk.coders.Coder<KV<String, Long>> inputCoder) {
      return SerializableCoder.of(Accumulator.class);
    }
  }

  /** Puts the window's bounds into its ranking. */
  static final class BoundsFn extends DoFn<WindowRanking, WindowRanking> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element WindowRanking ranking, BoundedWindow window, OutputReceiver<WindowRanking> out) {
      IntervalWindow interval = (IntervalWindow) window;
      out.output(new WindowRanking(interval.start(), interval.end(), ranking.views(), ranking.pages()));
    }
  }

  /** Hands each ranking to the listener registered in this JVM, or logs it. */
  static final class AnnounceFn extends DoFn<WindowRanking, Void> {
    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TopPages.class);
    private final String listenerId;

    AnnounceFn(String listenerId) {
      this.listenerId = listenerId;
    }

    @ProcessElement
    public void process(@Element WindowRanking ranking) {
      Consumer<WindowRanking> listener = LISTENERS.get(listenerId);
      if (listener != null) {
        listener.accept(ranking);
      } else {
        LOG.info("Top pages {}", ranking.format());
      }
    }
  }
}
