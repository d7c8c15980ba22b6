package dev.freshet.kinesis.video;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.kinesis.server.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** PutMedia, GetMedia and GetMediaForFragmentList: the operations whose bodies stream. */
final class MediaPlane {
  static final String MEDIA_TYPE = "video/webm";

  private MediaPlane() {}

  static void putMedia(VideoFragmentStore store, HttpExchange exchange) throws IOException {
    var headers = exchange.request().headers();
    String name = headers.get("x-amzn-stream-name");
    String arn = headers.get("x-amzn-stream-arn");
    if ((name == null) == (arn == null)) {
      throw VideoException.invalid("Exactly one of the headers x-amzn-stream-name and x-amzn-stream-arn is required");
    }
    String streamName = name != null ? name : store.streamNameOf(arn);
    String type = headers.get("x-amzn-fragment-timecode-type");
    MediaIngest.TimecodeType timecodeType;
    if ("ABSOLUTE".equals(type)) {
      timecodeType = MediaIngest.TimecodeType.ABSOLUTE;
    } else if ("RELATIVE".equals(type)) {
      timecodeType = MediaIngest.TimecodeType.RELATIVE;
    } else {
      throw VideoException.invalid("The header x-amzn-fragment-timecode-type must be ABSOLUTE or RELATIVE, but was: "
          + (type == null ? "missing" : FragmentNumbers.abbreviate(type)));
    }
    Long start = null;
    String startHeader = headers.get("x-amzn-producer-start-timestamp");
    if (startHeader != null) {
      try {
        start = new BigDecimal(startHeader).movePointRight(3).longValueExact();
      } catch (NumberFormatException | ArithmeticException e) {
        throw VideoException.invalid("The header x-amzn-producer-start-timestamp must be epoch seconds, but was: "
            + FragmentNumbers.abbreviate(startHeader));
      }
    }
    store.stream(streamName); // a missing stream is an HTTP error, before any acknowledgement
    ChunkedResponse[] response = {null};
    InputStream body = exchange.body();
    try {
      MediaIngest.run(store, streamName, body, timecodeType, start, ack -> {
        if (response[0] == null) {
          response[0] = new ChunkedResponse(exchange, "application/json");
        }
        byte[] json = ack.toJson();
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        response[0].write(line);
      });
    } catch (IOException e) {
      VideoService.logClientGone("PutMedia", streamName, e);
    } finally {
      if (response[0] != null) {
        response[0].end();
      }
    }
    if (response[0] == null) {
      // An empty body: no fragment, no acknowledgement.
      exchange.respond(200, "application/json", new byte[0]);
    }
  }

  static void getMedia(VideoFragmentStore store, HttpExchange exchange, ObjectNode request, Duration idleTimeout)
      throws IOException {
    String streamName = streamName(store, request);
    StartSelector selector = startSelector(request);
    String position = store.startPosition(streamName, selector);
    ChunkedResponse response = new ChunkedResponse(exchange, MEDIA_TYPE);
    try {
      while (response.isOpen()) {
        Optional<FragmentInfo> next;
        try {
          next = store.awaitFragment(streamName, position, idleTimeout.toMillis());
        } catch (VideoException | IllegalStateException e) {
          break; // the stream was deleted, or the store closed
        }
        if (next.isEmpty()) {
          break;
        }
        String number = next.get().fragmentNumber();
        position = VideoFragmentStore.positionAfter(number);
        Fragment fragment;
        try {
          fragment = store.readFragment(streamName, number);
        } catch (VideoException expired) {
          continue; // retention took it meanwhile
        }
        long behind = store.clock().millis() - fragment.info().serverTimestampMillis();
        response.write(MkvOutput.document(fragment, number, behind));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      VideoService.logClientGone("GetMedia", streamName, e);
    } finally {
      response.end();
    }
  }

  static void getMediaForFragmentList(VideoFragmentStore store, HttpExchange exchange, ObjectNode request)
      throws IOException {
    String streamName = streamName(store, request);
    JsonNode list = request.get("Fragments");
    if (list == null || !list.isArray() || list.isEmpty() || list.size() > 1000) {
      throw VideoException.invalid("Fragments must be a list of 1 to 1000 fragment numbers");
    }
    List<String> numbers = new ArrayList<>();
    for (JsonNode number : list) {
      if (!number.isTextual()) {
        throw VideoException.invalid("Fragments must hold fragment numbers as strings");
      }
      FragmentNumbers.offset(number.asText());
      numbers.add(number.asText());
    }
    // Every fragment is checked before the answer starts, so a missing one is a clean error.
    for (String number : numbers) {
      store.readFragmentInfo(streamName, number);
    }
    ChunkedResponse response = new ChunkedResponse(exchange, MEDIA_TYPE);
    try {
      for (String number : numbers) {
        Fragment fragment = store.readFragment(streamName, number);
        response.write(MkvOutput.document(fragment, null,
            store.clock().millis() - fragment.info().serverTimestampMillis()));
      }
    } catch (IOException | VideoException e) {
      VideoService.logClientGone("GetMediaForFragmentList", streamName, e instanceof IOException io ? io
          : new IOException(e));
    } finally {
      response.end();
    }
  }

  private static String streamName(VideoFragmentStore store, JsonNode request) {
    String name = Json.text(request, "StreamName");
    String arn = Json.text(request, "StreamARN");
    if ((name == null) == (arn == null)) {
      throw VideoException.invalid("Exactly one of StreamName and StreamARN is required");
    }
    return name != null ? name : store.streamNameOf(arn);
  }

  static StartSelector startSelector(JsonNode request) {
    JsonNode selector = request.get("StartSelector");
    if (selector == null || !selector.isObject()) {
      throw VideoException.invalid("StartSelector is required");
    }
    String type = Json.requiredText(selector, "StartSelectorType");
    return switch (type) {
      case "NOW" -> StartSelector.now();
      case "EARLIEST" -> StartSelector.earliest();
      case "FRAGMENT_NUMBER" -> StartSelector.fragmentNumber(Json.requiredText(selector, "AfterFragmentNumber"));
      case "CONTINUATION_TOKEN" -> StartSelector.continuationToken(Json.requiredText(selector, "ContinuationToken"));
      case "PRODUCER_TIMESTAMP" -> StartSelector.producerTimestamp(Json.timestampMillis(selector, "StartTimestamp"));
      case "SERVER_TIMESTAMP" -> StartSelector.serverTimestamp(Json.timestampMillis(selector, "StartTimestamp"));
      default -> throw VideoException.invalid("StartSelectorType must be one of NOW, EARLIEST, FRAGMENT_NUMBER, "
          + "PRODUCER_TIMESTAMP, SERVER_TIMESTAMP, CONTINUATION_TOKEN, but was: " + FragmentNumbers.abbreviate(type));
    };
  }
}
