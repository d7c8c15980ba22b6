package dev.freshet.kinesis.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.kinesis.server.KinesisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ContainerFormat;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.DASHFragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.DASHPlaybackMode;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.HLSDiscontinuityMode;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.HLSDisplayFragmentTimestamp;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.HLSFragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.HLSPlaybackMode;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ResourceNotFoundException;

/**
 * HLS and DASH playback on a real server over a real store: session URLs from the AWS SDK v2
 * archived media client, playlists, manifests and fragmented MP4 segments fetched over HTTP and
 * played by Debian's ffprobe (which decodes every frame), on the real GetMedia capture (640×360
 * H.264, 5 fragments of 2 s at 30 frames/s, 300 frames).
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class VideoPlaybackIT {
  @TempDir static Path dir;
  /** The store's clock: real time, moved forward by the last test. */
  static final VideoFragmentStoreTest.TestClock clock = new VideoFragmentStoreTest.TestClock();
  static VideoServerFixture fixture;
  static VideoFragmentStore videos;
  static KinesisServer server;
  static KinesisVideoClient control;
  static KinesisVideoArchivedMediaClient archive;
  static List<FragmentInfo> fragments;
  static long first;
  static long end;

  @BeforeAll
  static void start() throws Exception {
    clock.millis.set(System.currentTimeMillis());
    fixture = VideoServerFixture.start(dir, clock);
    videos = fixture.videos;
    server = fixture.server;
    control = fixture.control;
    archive = fixture.archive;
    fragments = fixture.fragments;
    first = fixture.first;
    end = fixture.end;
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  static void put(String stream, byte[] media) throws Exception {
    fixture.put(stream, media);
  }

  static String hlsOnDemand(long from, long to) {
    return archive.getHLSStreamingSessionURL(b -> b.streamName("cam").playbackMode(HLSPlaybackMode.ON_DEMAND)
        .hlsFragmentSelector(s -> s.fragmentSelectorType(HLSFragmentSelectorType.PRODUCER_TIMESTAMP)
            .timestampRange(r -> r.startTimestamp(Instant.ofEpochMilli(from)).endTimestamp(Instant.ofEpochMilli(to)))))
        .hlsStreamingSessionURL();
  }

  static HttpResponse<byte[]> get(String url) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
        BodyHandlers.ofByteArray());
  }

  static String text(String url) throws Exception {
    HttpResponse<byte[]> response = get(url);
    String body = new String(response.body(), StandardCharsets.UTF_8);
    assertThat(response.statusCode()).as("GET %s: %s", url, body).isEqualTo(200);
    return body;
  }

  /** ffprobe's view of a URL: codec, size, and the frames it decoded (-count_frames decodes every one). */
  static JsonNode ffprobe(String url) throws Exception {
    Process process = new ProcessBuilder("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
        "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "json", url)
        .redirectErrorStream(false).start();
    byte[] out = process.getInputStream().readAllBytes();
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("ffprobe ends").isTrue();
    assertThat(process.exitValue()).as("ffprobe's exit status; it said: %s", err).isZero();
    assertThat(err).as("ffprobe's complaints").isBlank();
    return new ObjectMapper().readTree(out);
  }

  static List<String> lines(String text, String prefix) {
    List<String> found = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix)) {
        found.add(line);
      }
    }
    return found;
  }

  static String media(String masterUrl) throws Exception {
    String master = text(masterUrl);
    String mediaUri = lines(master, "getHLSMediaPlaylist.m3u8").get(0);
    return text(URI.create(masterUrl).resolve(mediaUri).toString());
  }

  @Test
  void onDemandHlsPlaysEveryFrameOfTheRange() throws Exception {
    String url = hlsOnDemand(first, end);
    assertThat(url).startsWith(server.endpoint() + "/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken=");
    String master = text(url);
    assertThat(master).startsWith("#EXTM3U").contains("RESOLUTION=640x360").contains("CODECS=\"avc1.");
    String media = media(url);
    assertThat(lines(media, "#EXTINF")).hasSize(5);
    assertThat(lines(media, "#EXT-X-MAP:URI=\"getMP4InitFragment.mp4?SessionToken=")).hasSize(1);
    assertThat(media).contains("#EXT-X-PLAYLIST-TYPE:VOD").endsWith("#EXT-X-ENDLIST\n");
    for (FragmentInfo info : fragments) {
      assertThat(media).contains("getMP4MediaFragment.mp4?FragmentNumber=" + info.fragmentNumber() + "&SessionToken=");
    }
    JsonNode stream = ffprobe(url).path("streams").get(0);
    assertThat(stream.path("codec_name").asText()).isEqualTo("h264");
    assertThat(stream.path("width").asInt()).isEqualTo(640);
    assertThat(stream.path("height").asInt()).isEqualTo(360);
    assertThat(stream.path("nb_read_frames").asInt()).isEqualTo(300);
  }

  @Test
  void aRangeListsTheFragmentsOverlappingIt() throws Exception {
    // From inside fragment 1 to inside fragment 2 (0-based): those two, 120 frames.
    String url = hlsOnDemand(fragments.get(1).producerTimestampMillis() + 500,
        fragments.get(2).producerTimestampMillis() + 500);
    String media = media(url);
    assertThat(lines(media, "getMP4MediaFragment.mp4")).hasSize(2);
    assertThat(media).contains(fragments.get(1).fragmentNumber()).contains(fragments.get(2).fragmentNumber());
    assertThat(ffprobe(url).path("streams").get(0).path("nb_read_frames").asInt()).isEqualTo(120);
  }

  @Test
  void fragmentedMp4SegmentsAreWellFormed() throws Exception {
    String url = hlsOnDemand(first, end);
    String base = URI.create(url).resolve("x").toString();
    String token = url.substring(url.indexOf("SessionToken=") + "SessionToken=".length());
    byte[] init = get(base.replace("x", "getMP4InitFragment.mp4?SessionToken=" + token)).body();
    byte[] segment = get(base.replace("x", "getMP4MediaFragment.mp4?FragmentNumber="
        + fragments.get(0).fragmentNumber() + "&SessionToken=" + token)).body();
    assertThat(topBoxes(init)).containsExactly("ftyp", "moov");
    assertThat(new String(init, StandardCharsets.ISO_8859_1)).contains("avc1").contains("avcC").contains("mvex")
        .contains("trex");
    assertThat(topBoxes(segment)).containsExactly("moof", "mdat");
    // init + one segment is a playable file: 60 frames.
    Path file = dir.resolve("one.mp4");
    java.nio.file.Files.write(file, concat(init, segment));
    assertThat(ffprobe(file.toString()).path("streams").get(0).path("nb_read_frames").asInt()).isEqualTo(60);
  }

  static List<String> topBoxes(byte[] data) {
    List<String> boxes = new ArrayList<>();
    int at = 0;
    while (at + 8 <= data.length) {
      long size = ((data[at] & 0xffL) << 24) | ((data[at + 1] & 0xff) << 16) | ((data[at + 2] & 0xff) << 8)
          | (data[at + 3] & 0xff);
      boxes.add(new String(data, at + 4, 4, StandardCharsets.ISO_8859_1));
      assertThat(size).as("size of box %s", boxes.get(boxes.size() - 1)).isGreaterThanOrEqualTo(8);
      at += (int) size;
    }
    assertThat(at).as("the boxes fill the file exactly").isEqualTo(data.length);
    return boxes;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  @Test
  void livePlaylistsListTheNewestFragmentsWithoutAnEnd() throws Exception {
    String url = archive.getHLSStreamingSessionURL(b -> b.streamName("cam").playbackMode(HLSPlaybackMode.LIVE)
        .maxMediaPlaylistFragmentResults(2L).displayFragmentTimestamp(HLSDisplayFragmentTimestamp.ALWAYS)
        .discontinuityMode(HLSDiscontinuityMode.NEVER)).hlsStreamingSessionURL();
    String media = media(url);
    assertThat(lines(media, "getMP4MediaFragment.mp4")).hasSize(2);
    assertThat(media).contains(fragments.get(3).fragmentNumber()).contains(fragments.get(4).fragmentNumber())
        .doesNotContain(fragments.get(2).fragmentNumber()).doesNotContain("#EXT-X-ENDLIST")
        .doesNotContain("#EXT-X-DISCONTINUITY\n").doesNotContain("PLAYLIST-TYPE");
    assertThat(media).contains("#EXT-X-MEDIA-SEQUENCE:3\n");
    assertThat(lines(media, "#EXT-X-PROGRAM-DATE-TIME:")).containsExactly(
        "#EXT-X-PROGRAM-DATE-TIME:" + Instant.ofEpochMilli(fragments.get(3).serverTimestampMillis()),
        "#EXT-X-PROGRAM-DATE-TIME:" + Instant.ofEpochMilli(fragments.get(4).serverTimestampMillis()));
  }

  @Test
  void onDemandDashPlaysEveryFrame() throws Exception {
    String url = archive.getDASHStreamingSessionURL(b -> b.streamARN(videos.describeStream("cam").streamArn())
        .playbackMode(DASHPlaybackMode.ON_DEMAND)
        .dashFragmentSelector(s -> s.fragmentSelectorType(DASHFragmentSelectorType.PRODUCER_TIMESTAMP)
            .timestampRange(r -> r.startTimestamp(Instant.ofEpochMilli(first)).endTimestamp(Instant.ofEpochMilli(end)))))
        .dashStreamingSessionURL();
    assertThat(url).startsWith(server.endpoint() + "/dash/v1/getDASHManifest.mpd?SessionToken=");
    String mpd = text(url);
    assertThat(mpd).contains("type=\"static\"").contains("width=\"640\"").contains("height=\"360\"");
    assertThat(lines(mpd.replace(" ", ""), "<SegmentURL")).hasSize(5);
    JsonNode stream = ffprobe(url).path("streams").get(0);
    assertThat(stream.path("nb_read_frames").asInt()).isEqualTo(300);
  }

  @Test
  void badRequestsAreRefusedNamingWhatIsWrong() throws Exception {
    assertThatThrownBy(() -> archive.getHLSStreamingSessionURL(b -> b.streamName("cam")
        .playbackMode(HLSPlaybackMode.LIVE).containerFormat(ContainerFormat.MPEG_TS)))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("MPEG_TS");
    assertThatThrownBy(() -> archive.getHLSStreamingSessionURL(b -> b.streamName("cam")
        .playbackMode(HLSPlaybackMode.LIVE).hlsFragmentSelector(s -> s.timestampRange(r -> r
            .startTimestamp(Instant.ofEpochMilli(first)).endTimestamp(Instant.ofEpochMilli(end))))))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("TimestampRange must not be set");
    assertThatThrownBy(() -> archive.getHLSStreamingSessionURL(b -> b.streamName("cam")
        .playbackMode(HLSPlaybackMode.ON_DEMAND)))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("ON_DEMAND");
    assertThatThrownBy(() -> archive.getHLSStreamingSessionURL(b -> b.streamName("cam").expires(10)))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("Expires");
    assertThatThrownBy(() -> archive.getHLSStreamingSessionURL(b -> b.streamName("cam")
        .maxMediaPlaylistFragmentResults(5001L)))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("MaxMediaPlaylistFragmentResults");
    assertThatThrownBy(() -> archive.getHLSStreamingSessionURL(b -> b.streamName("nope")))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(() -> hlsOnDemand(end + 60_000, end + 120_000))
        .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("timestamp range");

    String url = hlsOnDemand(first, end);
    HttpResponse<byte[]> forged = get(url.replaceAll("SessionToken=.*", "SessionToken=forged"));
    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(forged.headers().firstValue("x-amzn-ErrorType")).hasValue("NotAuthorizedException");
    HttpResponse<byte[]> ts = get(url.replace("getHLSMasterPlaylist.m3u8", "getTSFragment.ts"));
    assertThat(ts.statusCode()).isEqualTo(400);
    assertThat(new String(ts.body(), StandardCharsets.UTF_8)).contains("FRAGMENTED_MP4");
    // A fragment outside the session's range is not served by it.
    String narrow = hlsOnDemand(first, first + 100);
    Matcher token = Pattern.compile("SessionToken=(.*)").matcher(narrow);
    assertThat(token.find()).isTrue();
    HttpResponse<byte[]> outside = get(URI.create(narrow).resolve("getMP4MediaFragment.mp4?FragmentNumber="
        + fragments.get(4).fragmentNumber() + "&SessionToken=" + token.group(1)).toString());
    assertThat(outside.statusCode()).isEqualTo(400);
    assertThat(new String(outside.body(), StandardCharsets.UTF_8)).contains("not in this session");
  }

  @Test
  @org.junit.jupiter.api.Order(Integer.MAX_VALUE) // moves the clock: last
  void liveReplayAdvancesAtItsOwnPaceAndSessionsExpire() throws Exception {
    String url = archive.getHLSStreamingSessionURL(b -> b.streamName("cam").playbackMode(HLSPlaybackMode.LIVE_REPLAY)
        .maxMediaPlaylistFragmentResults(3L).expires(300)
        .hlsFragmentSelector(s -> s.fragmentSelectorType(HLSFragmentSelectorType.PRODUCER_TIMESTAMP)
            .timestampRange(r -> r.startTimestamp(Instant.ofEpochMilli(first))
                .endTimestamp(Instant.ofEpochMilli(end - 1)))))
        .hlsStreamingSessionURL();
    String atStart = media(url);
    assertThat(lines(atStart, "getMP4MediaFragment.mp4")).hasSize(1);
    assertThat(atStart).contains(fragments.get(0).fragmentNumber()).doesNotContain("#EXT-X-ENDLIST");
    clock.millis.addAndGet(4_000); // fragments 0, 1, 2 are due
    String later = media(url);
    assertThat(lines(later, "getMP4MediaFragment.mp4")).hasSize(3);
    assertThat(later).contains("#EXT-X-MEDIA-SEQUENCE:0\n").doesNotContain("#EXT-X-ENDLIST");
    clock.millis.addAndGet(4_000); // all 5 due; the newest 3 listed, and the range is complete only when the
    String done = media(url);     // stream has gone past its end, which this range's end (inside fragment 4) is not
    assertThat(lines(done, "getMP4MediaFragment.mp4")).hasSize(3);
    assertThat(done).contains("#EXT-X-MEDIA-SEQUENCE:2\n").contains("#EXT-X-DISCONTINUITY-SEQUENCE:2\n")
        .contains(fragments.get(4).fragmentNumber()).doesNotContain(fragments.get(1).fragmentNumber());

    clock.millis.addAndGet(300_000); // past Expires
    HttpResponse<byte[]> expired = get(url);
    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(new String(expired.body(), StandardCharsets.UTF_8)).contains("expired");
  }
}
