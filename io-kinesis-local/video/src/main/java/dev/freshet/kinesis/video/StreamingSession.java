package dev.freshet.kinesis.video;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * An HLS or DASH streaming session, as GetHLSStreamingSessionURL or GetDASHStreamingSessionURL
 * asked for it: which fragments of which stream its playlists list, until when its token is good.
 *
 * @param dash a DASH session (else HLS)
 * @param mode LIVE, LIVE_REPLAY or ON_DEMAND
 * @param producer whether the range is in producer timestamps (else server timestamps, the default)
 * @param fromMillis the range's start ({@link Long#MIN_VALUE} in LIVE)
 * @param toMillis the range's end ({@link Long#MAX_VALUE} when open)
 * @param maxFragments the most fragments a playlist or manifest lists
 * @param discontinuity ALWAYS, NEVER or ON_DISCONTINUITY (HLS)
 * @param displayTimestamp whether playlists carry each fragment's timestamp
 * @param createdAtMillis when the session was opened (LIVE_REPLAY replays from then)
 * @param expiresAtMillis when the token stops being accepted
 */
record StreamingSession(String token, boolean dash, String streamName, Mode mode, boolean producer, long fromMillis,
    long toMillis, int maxFragments, Discontinuity discontinuity, boolean displayTimestamp, long createdAtMillis,
    long expiresAtMillis) {

  /** PlaybackMode. */
  enum Mode { LIVE, LIVE_REPLAY, ON_DEMAND }

  /** HLS DiscontinuityMode. */
  enum Discontinuity { ALWAYS, NEVER, ON_DISCONTINUITY }

  /** How far apart (ms) two fragments must be for ON_DISCONTINUITY to mark the gap or overlap. */
  static final long DISCONTINUITY_TOLERANCE_MILLIS = 50;
  /** LIVE needs a fragment received this recently (ms), as the service does. */
  static final long LIVE_WINDOW_MILLIS = 30_000;
  static final int MAX_FRAGMENT_RESULTS = 5000;
  static final long MAX_ON_DEMAND_RANGE_MILLIS = 24L * 3600 * 1000;
  static final int MIN_EXPIRES_SECONDS = 300;
  static final int MAX_EXPIRES_SECONDS = 43_200;

  /**
   * Reads a GetHLSStreamingSessionURL ({@code dash} false) or GetDASHStreamingSessionURL request.
   *
   * @throws VideoException InvalidArgumentException naming the field that is wrong
   */
  static StreamingSession parse(JsonNode request, String token, String streamName, boolean dash, long nowMillis) {
    String api = dash ? "DASH" : "HLS";
    String modeText = Json.text(request, "PlaybackMode");
    Mode mode;
    try {
      mode = modeText == null ? Mode.LIVE : Mode.valueOf(modeText);
    } catch (IllegalArgumentException e) {
      throw VideoException.invalid("PlaybackMode must be LIVE, LIVE_REPLAY or ON_DEMAND, but was: "
          + FragmentNumbers.abbreviate(modeText));
    }
    if (!dash) {
      String container = Json.text(request, "ContainerFormat");
      if (container != null && !container.equals("FRAGMENTED_MP4")) {
        throw VideoException.invalid(container.equals("MPEG_TS")
            ? "ContainerFormat MPEG_TS is not served by Freshet; use FRAGMENTED_MP4 (the default)"
            : "ContainerFormat must be FRAGMENTED_MP4 or MPEG_TS, but was: " + FragmentNumbers.abbreviate(container));
      }
    }
    Discontinuity discontinuity = Discontinuity.ALWAYS;
    if (!dash) {
      String text = Json.text(request, "DiscontinuityMode");
      try {
        discontinuity = text == null ? Discontinuity.ALWAYS : Discontinuity.valueOf(text);
      } catch (IllegalArgumentException e) {
        throw VideoException.invalid("DiscontinuityMode must be ALWAYS, NEVER or ON_DISCONTINUITY, but was: "
            + FragmentNumbers.abbreviate(text));
      }
    }
    boolean displayTimestamp = always(request, "DisplayFragmentTimestamp");
    if (dash) {
      always(request, "DisplayFragmentNumber");
    }
    Integer expires = Json.integer(request, "Expires", MIN_EXPIRES_SECONDS, MAX_EXPIRES_SECONDS);
    String maxField = dash ? "MaxManifestFragmentResults" : "MaxMediaPlaylistFragmentResults";
    Integer max = longAsInt(request, maxField);
    int maxFragments = max != null ? max : mode == Mode.ON_DEMAND ? 1000 : 5;

    String selectorField = dash ? "DASHFragmentSelector" : "HLSFragmentSelector";
    JsonNode selector = request.get(selectorField);
    boolean producer = false;
    long from = Long.MIN_VALUE;
    long to = Long.MAX_VALUE;
    boolean hasRange = false;
    if (selector != null && !selector.isNull()) {
      if (!selector.isObject()) {
        throw VideoException.invalid(selectorField + " must be an object");
      }
      String type = Json.text(selector, "FragmentSelectorType");
      // SERVER_TIMESTAMP unless said otherwise, as the service does.
      producer = type != null && ArchivedMedia.selectorType(type, selectorField + ".FragmentSelectorType");
      JsonNode range = selector.get("TimestampRange");
      if (range != null && !range.isNull()) {
        if (!range.isObject()) {
          throw VideoException.invalid(selectorField + ".TimestampRange must be an object");
        }
        hasRange = true;
        if (range.hasNonNull("StartTimestamp")) {
          from = Json.timestampMillis(range, "StartTimestamp");
        }
        if (range.hasNonNull("EndTimestamp")) {
          to = Json.timestampMillis(range, "EndTimestamp");
        }
      }
    }
    switch (mode) {
      case LIVE -> {
        if (hasRange) {
          throw VideoException.invalid(selectorField + ".TimestampRange must not be set when PlaybackMode is LIVE");
        }
      }
      case LIVE_REPLAY -> {
        if (from == Long.MIN_VALUE) {
          throw VideoException.invalid(selectorField + ".TimestampRange.StartTimestamp is required when "
              + "PlaybackMode is LIVE_REPLAY");
        }
      }
      case ON_DEMAND -> {
        if (from == Long.MIN_VALUE || to == Long.MAX_VALUE) {
          throw VideoException.invalid(selectorField + ".TimestampRange with StartTimestamp and EndTimestamp is "
              + "required when PlaybackMode is ON_DEMAND");
        }
        if (to - from > MAX_ON_DEMAND_RANGE_MILLIS) {
          throw VideoException.invalid("EndTimestamp must be at most 24 hours after StartTimestamp, but was "
              + (to - from) / 1000 + " s after it");
        }
      }
      default -> throw new IllegalStateException("no mode " + mode);
    }
    if (to < from) {
      throw VideoException.invalid("EndTimestamp must not be before StartTimestamp");
    }
    long expiresAt = nowMillis + 1000L * (expires == null ? MIN_EXPIRES_SECONDS : expires);
    return new StreamingSession(token, dash, streamName, mode, producer, from, to, maxFragments, discontinuity,
        displayTimestamp, nowMillis, expiresAt);
  }

  private static boolean always(JsonNode request, String field) {
    String value = Json.text(request, field);
    if (value == null || value.equals("NEVER")) {
      return false;
    }
    if (value.equals("ALWAYS")) {
      return true;
    }
    throw VideoException.invalid(field + " must be ALWAYS or NEVER, but was: " + FragmentNumbers.abbreviate(value));
  }

  private static Integer longAsInt(JsonNode request, String field) {
    JsonNode node = request.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber()) {
      throw VideoException.invalid(field + " must be an integer");
    }
    long value = node.asLong();
    if (value < 1 || value > MAX_FRAGMENT_RESULTS) {
      throw VideoException.invalid(field + " must be between 1 and " + MAX_FRAGMENT_RESULTS + ", but was: "
          + node.asText());
    }
    return (int) value;
  }

  /** The fragment's time in this session's timestamp type. */
  long at(FragmentInfo info) {
    return producer ? info.producerTimestampMillis() : info.serverTimestampMillis();
  }

  /** Whether the fragment is in this session's range (it overlaps it; in LIVE every fragment is). */
  boolean covers(FragmentInfo info) {
    if (mode == Mode.LIVE) {
      return true;
    }
    long start = at(info);
    return start <= toMillis && start + Math.max(1, info.durationMillis()) > fromMillis;
  }

  /** What a playlist lists now: its fragments in play order, the first one's sequence number, whether it is complete. */
  record Window(List<FragmentInfo> fragments, long sequence, long discontinuitiesBefore, boolean ended) {}

  /** Whether HLS marks a discontinuity between two fragments that follow each other in a playlist. */
  boolean discontinuity(FragmentInfo previous, FragmentInfo next) {
    return switch (discontinuity) {
      case ALWAYS -> true;
      case NEVER -> false;
      case ON_DISCONTINUITY -> Math.abs(next.producerTimestampMillis()
          - (previous.producerTimestampMillis() + previous.durationMillis())) > DISCONTINUITY_TOLERANCE_MILLIS;
    };
  }

  /** The discontinuities between the fragments before a sliding window (EXT-X-DISCONTINUITY-SEQUENCE). */
  private long discontinuitiesBefore(List<FragmentInfo> ordered, int first) {
    long count = 0;
    for (int i = 1; i <= first; i++) {
      if (discontinuity(ordered.get(i - 1), ordered.get(i))) {
        count++;
      }
    }
    return count;
  }

  /**
   * The fragments a playlist or manifest lists at {@code nowMillis}, from the stream's {@code
   * stored} fragments (oldest first). LIVE: the newest {@link #maxFragments}. ON_DEMAND: the first
   * {@link #maxFragments} in the range, by timestamp, complete. LIVE_REPLAY: the range replayed at
   * its own pace from the session's start (a fragment is listed once the time since then reaches
   * its place in the range), the newest {@link #maxFragments} of those; complete once the whole
   * range is listed and the stream has gone past its end.
   */
  Window window(List<FragmentInfo> stored, long nowMillis) {
    if (mode == Mode.LIVE) {
      int from = Math.max(0, stored.size() - maxFragments);
      return new Window(List.copyOf(stored.subList(from, stored.size())), from, discontinuitiesBefore(stored, from),
          false);
    }
    List<FragmentInfo> inRange = new ArrayList<>();
    for (FragmentInfo info : stored) {
      if (covers(info)) {
        inRange.add(info);
      }
    }
    inRange.sort(Comparator.comparingLong(this::at).thenComparing(FragmentInfo::fragmentNumber));
    if (mode == Mode.ON_DEMAND) {
      return new Window(List.copyOf(inRange.subList(0, Math.min(inRange.size(), maxFragments))), 0, 0, true);
    }
    int eligible = 0;
    long elapsed = nowMillis - createdAtMillis;
    while (eligible < inRange.size() && at(inRange.get(eligible)) - at(inRange.get(0)) <= elapsed) {
      eligible++;
    }
    int from = Math.max(0, eligible - maxFragments);
    boolean ended = toMillis != Long.MAX_VALUE && eligible == inRange.size()
        && stored.stream().anyMatch(info -> at(info) > toMillis);
    return new Window(List.copyOf(inRange.subList(from, eligible)), from, discontinuitiesBefore(inRange, from), ended);
  }
}
