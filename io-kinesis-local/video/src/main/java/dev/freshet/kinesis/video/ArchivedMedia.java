package dev.freshet.kinesis.video;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** GetImages: stored H.264 decoded to JPEG or PNG at a sampling interval. */
final class ArchivedMedia {
  private static final Logger LOG = LoggerFactory.getLogger(ArchivedMedia.class);
  static final int MIN_SAMPLING_INTERVAL_MILLIS = 200;
  static final long MAX_IMAGES_RANGE_MILLIS = 300_000;
  static final int IMAGES_PAGE = 25;

  private ArchivedMedia() {}

  static ObjectNode getImages(VideoFragmentStore store, String streamName, JsonNode request) {
    boolean producer = selectorType(Json.requiredText(request, "ImageSelectorType"), "ImageSelectorType");
    long start = Json.timestampMillis(request, "StartTimestamp");
    long end = Json.timestampMillis(request, "EndTimestamp");
    if (end < start) {
      throw VideoException.invalid("EndTimestamp must not be before StartTimestamp");
    }
    if (end - start > MAX_IMAGES_RANGE_MILLIS) {
      throw VideoException.invalid("EndTimestamp must be at most 300 seconds after StartTimestamp, but was "
          + (end - start) + " ms after it");
    }
    Integer interval = Json.integer(request, "SamplingInterval", MIN_SAMPLING_INTERVAL_MILLIS, Integer.MAX_VALUE);
    if (interval == null) {
      throw VideoException.invalid("SamplingInterval is required");
    }
    String format = Json.requiredText(request, "Format");
    if (!format.equals("JPEG") && !format.equals("PNG")) {
      throw VideoException.invalid("Format must be JPEG or PNG, but was: " + FragmentNumbers.abbreviate(format));
    }
    int quality = jpegQuality(request.get("FormatConfig"));
    Integer width = Json.integer(request, "WidthPixels", 1, 3840);
    Integer height = Json.integer(request, "HeightPixels", 1, 2160);
    Integer max = Json.integer(request, "MaxResults", 1, 100);
    int page = Math.min(max == null ? IMAGES_PAGE : max, IMAGES_PAGE);
    long samples = (end - start) / interval + 1;
    long first = 0;
    String token = Json.text(request, "NextToken");
    if (token != null) {
      try {
        first = Long.parseLong(token);
      } catch (NumberFormatException e) {
        first = -1;
      }
      if (first <= 0 || first >= samples) {
        throw VideoException.invalid("NextToken is not one this request's earlier page gave: "
            + FragmentNumbers.abbreviate(token));
      }
    }
    long last = Math.min(samples, first + page); // exclusive

    // Each sample time goes to the fragment covering it, and in it to the last frame at or before it.
    List<FragmentInfo> fragments = new ArrayList<>(store.listFragments(streamName));
    Comparator<FragmentInfo> byTime = Comparator.comparingLong(f -> at(f, producer));
    fragments.sort(byTime);
    long[] times = new long[(int) (last - first)];
    FragmentInfo[] covering = new FragmentInfo[times.length];
    for (int i = 0; i < times.length; i++) {
      times[i] = start + (first + i) * interval;
      covering[i] = covering(fragments, times[i], producer);
    }
    Map<String, H264Track> tracks = new HashMap<>();
    Map<String, Map<Integer, BufferedImage>> decoded = new HashMap<>();
    Map<String, String> failed = new HashMap<>();
    Map<String, TreeSet<Integer>> wanted = new HashMap<>();
    int[] frameOf = new int[times.length];
    for (int i = 0; i < times.length; i++) {
      FragmentInfo fragment = covering[i];
      frameOf[i] = -1;
      if (fragment == null || failed.containsKey(fragment.fragmentNumber())) {
        continue;
      }
      H264Track track = tracks.get(fragment.fragmentNumber());
      if (track == null) {
        try {
          track = H264Track.of(store.readFragment(streamName, fragment.fragmentNumber()));
        } catch (MkvException e) {
          failed.put(fragment.fragmentNumber(), e.getMessage());
          continue;
        } catch (VideoException expired) {
          continue; // retention took it meanwhile: no media
        }
        tracks.put(fragment.fragmentNumber(), track);
      }
      long offset = times[i] - at(fragment, producer);
      int frame = -1;
      for (int s = 0; s < track.samples().size(); s++) {
        long sampleOffset = track.samples().get(s).offsetMillis();
        if (sampleOffset <= offset && (frame < 0 || sampleOffset >= track.samples().get(frame).offsetMillis())) {
          frame = s;
        }
      }
      frameOf[i] = frame;
      if (frame >= 0) {
        wanted.computeIfAbsent(fragment.fragmentNumber(), k -> new TreeSet<>()).add(frame);
      }
    }
    for (Map.Entry<String, TreeSet<Integer>> entry : wanted.entrySet()) {
      try {
        decoded.put(entry.getKey(), FrameImages.decode(tracks.get(entry.getKey()), entry.getValue()));
      } catch (MkvException e) {
        failed.put(entry.getKey(), e.getMessage());
      }
    }

    ObjectNode result = Json.MAPPER.createObjectNode();
    ArrayNode images = result.putArray("Images");
    for (int i = 0; i < times.length; i++) {
      ObjectNode image = images.addObject();
      image.put("TimeStamp", Json.seconds(times[i]));
      FragmentInfo fragment = covering[i];
      if (fragment != null && failed.containsKey(fragment.fragmentNumber())) {
        LOG.debug("GetImages on {}: fragment {} undecodable: {}", streamName, fragment.fragmentNumber(),
            failed.get(fragment.fragmentNumber()));
        image.put("Error", "MEDIA_ERROR");
        continue;
      }
      BufferedImage picture = fragment == null || frameOf[i] < 0 || !decoded.containsKey(fragment.fragmentNumber())
          ? null : decoded.get(fragment.fragmentNumber()).get(frameOf[i]);
      if (picture == null) {
        image.put("Error", "NO_MEDIA");
        continue;
      }
      int[] size = size(picture.getWidth(), picture.getHeight(), width, height);
      byte[] bytes = FrameImages.encode(FrameImages.scale(picture, size[0], size[1]), format.equals("PNG"), quality);
      image.put("ImageContent", Base64.getEncoder().encodeToString(bytes));
    }
    if (last < samples) {
      result.put("NextToken", Long.toString(last));
    }
    return result;
  }

  /** The requested size; with only one side given, the other keeps the picture's aspect ratio. */
  static int[] size(int pictureWidth, int pictureHeight, Integer width, Integer height) {
    if (width == null && height == null) {
      return new int[] {pictureWidth, pictureHeight};
    }
    if (width == null) {
      return new int[] {Math.max(1, (int) Math.round((double) height * pictureWidth / pictureHeight)), height};
    }
    if (height == null) {
      return new int[] {width, Math.max(1, (int) Math.round((double) width * pictureHeight / pictureWidth))};
    }
    return new int[] {width, height};
  }

  private static int jpegQuality(JsonNode config) {
    if (config == null || config.isNull()) {
      return 80;
    }
    if (!config.isObject()) {
      throw VideoException.invalid("FormatConfig must be a map of JPEGQuality to a number as a string");
    }
    int quality = 80;
    for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (!entry.getKey().equals("JPEGQuality")) {
        throw VideoException.invalid("FormatConfig takes only the key JPEGQuality, but had: "
            + FragmentNumbers.abbreviate(entry.getKey()));
      }
      String value = entry.getValue().asText();
      try {
        quality = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        quality = -1;
      }
      if (quality < 1 || quality > 100) {
        throw VideoException.invalid("FormatConfig JPEGQuality must be 1 to 100, but was: "
            + FragmentNumbers.abbreviate(value));
      }
    }
    return quality;
  }

  /** True for PRODUCER_TIMESTAMP, false for SERVER_TIMESTAMP. */
  static boolean selectorType(String type, String field) {
    return switch (type) {
      case "PRODUCER_TIMESTAMP" -> true;
      case "SERVER_TIMESTAMP" -> false;
      default -> throw VideoException.invalid(field + " must be PRODUCER_TIMESTAMP or SERVER_TIMESTAMP, but was: "
          + FragmentNumbers.abbreviate(type));
    };
  }

  static long at(FragmentInfo fragment, boolean producer) {
    return producer ? fragment.producerTimestampMillis() : fragment.serverTimestampMillis();
  }

  /** The last fragment starting at or before {@code time} whose media reaches past it, or null. */
  private static FragmentInfo covering(List<FragmentInfo> sorted, long time, boolean producer) {
    FragmentInfo found = null;
    for (FragmentInfo fragment : sorted) {
      if (at(fragment, producer) > time) {
        break;
      }
      if (time < at(fragment, producer) + Math.max(1, fragment.durationMillis())) {
        found = fragment;
      }
    }
    return found;
  }
}
