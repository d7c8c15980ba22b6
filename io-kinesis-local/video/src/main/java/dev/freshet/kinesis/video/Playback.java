package dev.freshet.kinesis.video;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.kinesis.server.HttpExchange;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jcodec.codecs.h264.H264Utils;
import org.jcodec.codecs.h264.io.model.SeqParameterSet;
import org.jcodec.common.model.Size;

/**
 * HLS and DASH playback as the service serves it: GetHLSStreamingSessionURL and
 * GetDASHStreamingSessionURL open a session and answer with a URL on this server carrying its
 * token; the playlists (HLS master and media playlists, the DASH manifest) and the fragmented MP4
 * segments ({@link FragmentedMp4}) are then fetched with {@code GET} and the token, as players do,
 * without signatures. Sessions are kept in memory (a restarted server forgets them) until they
 * expire.
 */
final class Playback {
  static final String HLS_MASTER = "/hls/v1/getHLSMasterPlaylist.m3u8";
  static final String HLS_MEDIA = "/hls/v1/getHLSMediaPlaylist.m3u8";
  static final String HLS_INIT = "/hls/v1/getMP4InitFragment.mp4";
  static final String HLS_FRAGMENT = "/hls/v1/getMP4MediaFragment.mp4";
  static final String HLS_TS = "/hls/v1/getTSFragment.ts";
  static final String DASH_MANIFEST = "/dash/v1/getDASHManifest.mpd";
  static final String DASH_INIT = "/dash/v1/getMP4InitFragment.mp4";
  static final String DASH_FRAGMENT = "/dash/v1/getMP4MediaFragment.mp4";
  static final Set<String> GET_PATHS = Set.of(HLS_MASTER, HLS_MEDIA, HLS_INIT, HLS_FRAGMENT, HLS_TS, DASH_MANIFEST,
      DASH_INIT, DASH_FRAGMENT);
  /** Sessions held at once; beyond it, new ones are refused until old ones expire. */
  static final int MAX_SESSIONS = 10_000;

  private final VideoFragmentStore store;
  private final Map<String, StreamingSession> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();

  Playback(VideoFragmentStore store) {
    this.store = store;
  }

  /** GetHLSStreamingSessionURL ({@code dash} false) or GetDASHStreamingSessionURL. */
  ObjectNode createSession(String endpoint, String streamName, JsonNode request, boolean dash) {
    long now = store.clock().millis();
    sessions.values().removeIf(s -> s.expiresAtMillis() <= now);
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    store.describeStream(streamName);
    StreamingSession session = StreamingSession.parse(request, token, streamName, dash, now);
    List<FragmentInfo> stored = store.listFragments(streamName);
    List<FragmentInfo> selected = session.window(stored, now).fragments();
    switch (session.mode()) {
      case LIVE -> {
        if (stored.isEmpty() || stored.get(stored.size() - 1).serverTimestampMillis()
            < now - StreamingSession.LIVE_WINDOW_MILLIS) {
          throw VideoException.notFound("No fragments of " + streamName + " were received in the last "
              + StreamingSession.LIVE_WINDOW_MILLIS / 1000 + " seconds; LIVE plays what is coming in (use "
              + "ON_DEMAND or LIVE_REPLAY with a TimestampRange for what is stored)");
        }
      }
      case ON_DEMAND -> {
        if (selected.isEmpty()) {
          throw VideoException.notFound("No fragments of " + streamName + " are in the timestamp range asked for");
        }
      }
      case LIVE_REPLAY -> { } // fragments may still come
      default -> throw new IllegalStateException("no mode " + session.mode());
    }
    if (!selected.isEmpty()) {
      track(streamName, selected.get(0)); // refuses media that cannot be played, now rather than in the player
    }
    if (sessions.size() >= MAX_SESSIONS) {
      throw new VideoException("ClientLimitExceededException", 400, "Too many streaming sessions are open ("
          + MAX_SESSIONS + "); wait for some to expire (Expires)");
    }
    sessions.put(token, session);
    ObjectNode result = Json.MAPPER.createObjectNode();
    if (dash) {
      result.put("DASHStreamingSessionURL", endpoint + DASH_MANIFEST + "?SessionToken=" + token);
    } else {
      result.put("HLSStreamingSessionURL", endpoint + HLS_MASTER + "?SessionToken=" + token);
    }
    return result;
  }

  /** Answers one of the {@link #GET_PATHS}. */
  void serve(HttpExchange exchange) {
    QueryStringDecoder query = new QueryStringDecoder(exchange.request().uri());
    String path = exchange.path();
    try {
      if (path.equals(HLS_TS)) {
        throw VideoException.invalid("getTSFragment.ts is not served: Freshet's HLS sessions are FRAGMENTED_MP4 only");
      }
      StreamingSession session = session(parameter(query, "SessionToken"), path.startsWith("/dash/"));
      switch (path) {
        case HLS_MASTER -> respond(exchange, "application/x-mpegURL", masterPlaylist(session));
        case HLS_MEDIA -> respond(exchange, "application/x-mpegURL", mediaPlaylist(session));
        case DASH_MANIFEST -> respond(exchange, "application/dash+xml", manifest(session));
        case HLS_INIT, DASH_INIT -> respond(exchange, "video/mp4", FragmentedMp4.init(initTrack(session)));
        case HLS_FRAGMENT, DASH_FRAGMENT -> respond(exchange, "video/mp4",
            mediaFragment(session, parameter(query, "FragmentNumber")));
        default -> throw new IllegalStateException("no playback path " + path);
      }
    } catch (VideoException e) {
      error(exchange, e);
    }
  }

  private static String parameter(QueryStringDecoder query, String name) {
    List<String> values = query.parameters().get(name);
    if (values == null || values.isEmpty() || values.get(0).isEmpty()) {
      throw VideoException.invalid("The query parameter " + name + " is required");
    }
    return values.get(0);
  }

  private StreamingSession session(String token, boolean dash) {
    StreamingSession session = sessions.get(token);
    if (session == null) {
      throw new VideoException("NotAuthorizedException", 401, "The SessionToken is not one this server gave, "
          + "or its session has expired");
    }
    if (session.expiresAtMillis() <= store.clock().millis()) {
      sessions.remove(token);
      throw new VideoException("NotAuthorizedException", 401, "The streaming session expired at "
          + Instant.ofEpochMilli(session.expiresAtMillis()) + " (Expires); ask for a new session URL");
    }
    if (session.dash() != dash) {
      throw VideoException.invalid("The SessionToken is of " + (session.dash() ? "a DASH" : "an HLS")
          + " session; use it on its own " + (session.dash() ? "/dash/v1/" : "/hls/v1/") + " paths");
    }
    return session;
  }

  private H264Track track(String streamName, FragmentInfo info) {
    Fragment fragment = store.readFragment(streamName, info.fragmentNumber());
    try {
      return H264Track.of(fragment);
    } catch (MkvException e) {
      String type = e.getMessage().contains("has no H.264 track") ? "UnsupportedStreamMediaTypeException"
          : "InvalidCodecPrivateDataException";
      throw new VideoException(type, 400, "Fragment " + info.fragmentNumber() + " of " + streamName
          + " cannot be played with HLS or DASH: " + e.getMessage());
    }
  }

  private H264Track initTrack(StreamingSession session) {
    List<FragmentInfo> selected = window(session).fragments();
    if (selected.isEmpty()) {
      throw VideoException.notFound("No fragments of " + session.streamName() + " are in the session yet");
    }
    return track(session.streamName(), selected.get(0));
  }

  private byte[] mediaFragment(StreamingSession session, String fragmentNumber) {
    FragmentInfo info = store.readFragmentInfo(session.streamName(), fragmentNumber);
    if (!session.covers(info)) {
      throw VideoException.invalid("Fragment " + fragmentNumber + " is not in this session's timestamp range");
    }
    H264Track track = track(session.streamName(), info);
    long start = info.producerTimestampMillis();
    int sequence = (int) Math.min(Integer.MAX_VALUE, FragmentNumbers.offset(fragmentNumber) + 1);
    try {
      return FragmentedMp4.media(sequence, start, start + info.durationMillis(), track);
    } catch (MkvException e) {
      throw VideoException.invalid("Fragment " + fragmentNumber + " cannot be played: " + e.getMessage());
    }
  }

  // ---- HLS ----

  private StreamingSession.Window window(StreamingSession session) {
    return session.window(store.listFragments(session.streamName()), store.clock().millis());
  }

  private String masterPlaylist(StreamingSession session) {
    List<FragmentInfo> selected = window(session).fragments();
    StringBuilder out = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    out.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(bandwidth(selected));
    if (!selected.isEmpty()) {
      H264Track track = track(session.streamName(), selected.get(0));
      Size size = pictureSize(track);
      out.append(",RESOLUTION=").append(size.getWidth()).append('x').append(size.getHeight());
      out.append(",CODECS=\"").append(codecs(track)).append('"');
    }
    out.append('\n').append("getHLSMediaPlaylist.m3u8?SessionToken=").append(session.token()).append('\n');
    return out.toString();
  }

  private String mediaPlaylist(StreamingSession session) {
    List<FragmentInfo> stored = store.listFragments(session.streamName());
    StreamingSession.Window window = session.window(stored, store.clock().millis());
    List<FragmentInfo> selected = window.fragments();
    long target = 1;
    for (FragmentInfo info : selected) {
      target = Math.max(target, (info.durationMillis() + 999) / 1000);
    }
    // Segments are numbered by their place in the session's fragments (fragment numbers are log
    // offsets, not consecutive); in LIVE and LIVE_REPLAY the window slides along them.
    StringBuilder out = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:7\n");
    out.append("#EXT-X-TARGETDURATION:").append(target).append('\n');
    out.append("#EXT-X-MEDIA-SEQUENCE:").append(window.sequence()).append('\n');
    out.append("#EXT-X-DISCONTINUITY-SEQUENCE:").append(window.discontinuitiesBefore()).append('\n');
    boolean ended = window.ended();
    if (session.mode() == StreamingSession.Mode.ON_DEMAND) {
      out.append("#EXT-X-PLAYLIST-TYPE:VOD\n");
    }
    out.append("#EXT-X-INDEPENDENT-SEGMENTS\n");
    out.append("#EXT-X-MAP:URI=\"getMP4InitFragment.mp4?SessionToken=").append(session.token()).append("\"\n");
    FragmentInfo previous = null;
    for (FragmentInfo info : selected) {
      if (previous != null && session.discontinuity(previous, info)) {
        out.append("#EXT-X-DISCONTINUITY\n");
      }
      if (session.displayTimestamp()) {
        out.append("#EXT-X-PROGRAM-DATE-TIME:").append(Instant.ofEpochMilli(session.at(info))).append('\n');
      }
      out.append("#EXTINF:").append(Json.seconds(Math.max(1, info.durationMillis()))).append(",\n");
      out.append("getMP4MediaFragment.mp4?FragmentNumber=").append(info.fragmentNumber())
          .append("&SessionToken=").append(session.token()).append('\n');
      previous = info;
    }
    if (ended) {
      out.append("#EXT-X-ENDLIST\n");
    }
    return out.toString();
  }

  // ---- DASH ----

  private String manifest(StreamingSession session) {
    StreamingSession.Window window = window(session);
    List<FragmentInfo> selected = window.fragments();
    boolean dynamic = !window.ended();
    long origin = selected.isEmpty() ? 0 : selected.get(0).producerTimestampMillis();
    long total = selected.isEmpty() ? 0
        : selected.get(selected.size() - 1).producerTimestampMillis()
            + selected.get(selected.size() - 1).durationMillis() - origin;
    StringBuilder out = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.append("<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" profiles=\"urn:mpeg:dash:profile:isoff-live:2011\" ");
    if (dynamic) {
      // Media times are producer timestamps in ms since the epoch, so the epoch is the availability start.
      out.append("type=\"dynamic\" availabilityStartTime=\"1970-01-01T00:00:00Z\" publishTime=\"")
          .append(Instant.ofEpochMilli(store.clock().millis())).append("\" minimumUpdatePeriod=\"PT2S\" ")
          .append("timeShiftBufferDepth=\"").append(duration(Math.max(total, 10_000))).append("\" ");
    } else {
      out.append("type=\"static\" mediaPresentationDuration=\"").append(duration(total)).append("\" ");
    }
    out.append("minBufferTime=\"PT2S\">\n");
    out.append("  <Period id=\"0\" start=\"PT0S\">\n");
    out.append("    <AdaptationSet contentType=\"video\" mimeType=\"video/mp4\" segmentAlignment=\"true\" "
        + "startWithSAP=\"1\">\n");
    out.append("      <Representation id=\"1\" bandwidth=\"").append(bandwidth(selected)).append('"');
    if (!selected.isEmpty()) {
      H264Track track = track(session.streamName(), selected.get(0));
      Size size = pictureSize(track);
      out.append(" codecs=\"").append(codecs(track)).append("\" width=\"").append(size.getWidth())
          .append("\" height=\"").append(size.getHeight()).append('"');
    }
    out.append(">\n");
    out.append("        <SegmentList timescale=\"").append(FragmentedMp4.TIMESCALE).append('"');
    if (!dynamic) {
      out.append(" presentationTimeOffset=\"").append(origin).append('"');
    }
    out.append(">\n");
    out.append("          <Initialization sourceURL=\"getMP4InitFragment.mp4?SessionToken=").append(session.token())
        .append("\"/>\n");
    out.append("          <SegmentTimeline>\n");
    for (FragmentInfo info : selected) {
      out.append("            <S t=\"").append(info.producerTimestampMillis()).append("\" d=\"")
          .append(Math.max(1, info.durationMillis())).append("\"/>\n");
    }
    out.append("          </SegmentTimeline>\n");
    for (FragmentInfo info : selected) {
      out.append("          <SegmentURL media=\"getMP4MediaFragment.mp4?FragmentNumber=").append(info.fragmentNumber())
          .append("&amp;SessionToken=").append(session.token()).append("\"/>\n");
    }
    out.append("        </SegmentList>\n      </Representation>\n    </AdaptationSet>\n  </Period>\n</MPD>\n");
    return out.toString();
  }

  private static String duration(long millis) {
    return "PT" + Json.seconds(millis).toPlainString() + "S";
  }

  // ---- shared ----

  /** The highest bit rate of the fragments (bits per second), what players pick a rendition by. */
  private static long bandwidth(List<FragmentInfo> fragments) {
    long best = 0;
    for (FragmentInfo info : fragments) {
      best = Math.max(best, info.sizeInBytes() * 8 * 1000 / Math.max(1, info.durationMillis()));
    }
    return best == 0 ? 1_000_000 : best;
  }

  /** RFC 6381's {@code avc1.PPCCLL}: profile, constraint flags and level from the avcC record. */
  static String codecs(H264Track track) {
    return String.format("avc1.%02x%02x%02x", track.avcC().getProfile(), track.avcC().getProfileCompat(),
        track.avcC().getLevel());
  }

  static Size pictureSize(H264Track track) {
    SeqParameterSet sps = H264Utils.readSPS(track.avcC().getSpsList().get(0).duplicate());
    return H264Utils.getPicSize(sps);
  }

  private static void respond(HttpExchange exchange, String contentType, String body) {
    respond(exchange, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void respond(HttpExchange exchange, String contentType, byte[] body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    // Players in browsers fetch from pages of other origins, as they do from the service.
    response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    exchange.respond(response);
  }

  private static void error(HttpExchange exchange, VideoException e) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("__type", e.errorType());
    body.put("message", e.getMessage());
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(e.status()), Unpooled.wrappedBuffer(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    response.headers().set("x-amzn-ErrorType", e.errorType());
    response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    exchange.respond(response);
  }
}
