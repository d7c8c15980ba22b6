package dev.freshet.kinesis.video;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;

/** GetImages' and GetClip's requests and answers in the service's shapes, over {@link VideoImages} and {@link VideoClips}. */
final class ArchivedMedia {
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

    long[] times = new long[(int) (last - first)];
    for (int i = 0; i < times.length; i++) {
      times[i] = start + (first + i) * interval;
    }
    ObjectNode result = Json.MAPPER.createObjectNode();
    ArrayNode images = result.putArray("Images");
    for (VideoImage sampled : VideoImages.images(store, streamName, producer, times,
        format.equals("PNG") ? VideoImages.Format.PNG : VideoImages.Format.JPEG, quality, width, height)) {
      ObjectNode image = images.addObject();
      image.put("TimeStamp", Json.seconds(sampled.timestampMillis()));
      if (sampled.error() != null) {
        image.put("Error", sampled.error());
      } else {
        image.put("ImageContent", Base64.getEncoder().encodeToString(sampled.content()));
      }
    }
    if (last < samples) {
      result.put("NextToken", Long.toString(last));
    }
    return result;
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

  /** GetClip: {@code ClipFragmentSelector} with a type and a {@code TimestampRange}; the answer is MP4. */
  static byte[] getClip(VideoFragmentStore store, String streamName, JsonNode request) {
    JsonNode selector = request.get("ClipFragmentSelector");
    if (selector == null || !selector.isObject()) {
      throw VideoException.invalid("ClipFragmentSelector is required");
    }
    boolean producer = selectorType(Json.requiredText(selector, "FragmentSelectorType"), "FragmentSelectorType");
    JsonNode range = selector.get("TimestampRange");
    if (range == null || !range.isObject()) {
      throw VideoException.invalid("ClipFragmentSelector.TimestampRange is required");
    }
    return VideoClips.clip(store, streamName, producer, Json.timestampMillis(range, "StartTimestamp"),
        Json.timestampMillis(range, "EndTimestamp"));
  }
}
