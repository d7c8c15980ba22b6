package dev.freshet.transforms.video;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The two Kinesis Video archived-media calls a reader needs, over HTTP with JSON bodies:
 * ListFragments (by server timestamp) and GetMediaForFragmentList. Requests are not signed: the
 * local server's default.
 */
final class VideoApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI endpoint;
  private final HttpClient http;

  /** A fragment as ListFragments lists it. */
  record Listed(String number, long serverMillis) {
    BigInteger numeric() {
      return new BigInteger(number);
    }
  }

  VideoApi(URI endpoint) {
    this.endpoint = endpoint;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** Fragments of {@code stream} the server received at or after {@code fromServerMillis}, by number. */
  List<Listed> listSince(String stream, long fromServerMillis) throws IOException {
    List<Listed> fragments = new ArrayList<>();
    String token = null;
    do {
      ObjectNode request = JSON.createObjectNode().put("StreamName", stream).put("MaxResults", 1000);
      ObjectNode range = request.putObject("FragmentSelector")
          .put("FragmentSelectorType", "SERVER_TIMESTAMP")
          .putObject("TimestampRange");
      range.put("StartTimestamp", seconds(fromServerMillis));
      range.put("EndTimestamp", seconds(System.currentTimeMillis() + Duration.ofDays(1).toMillis()));
      if (token != null) {
        request.put("NextToken", token);
      }
      JsonNode answer = JSON.readTree(post("/listFragments", request));
      for (JsonNode fragment : answer.path("Fragments")) {
        fragments.add(new Listed(fragment.path("FragmentNumber").asText(),
            new BigDecimal(fragment.path("ServerTimestamp").asText()).movePointRight(3).longValue()));
      }
      token = answer.hasNonNull("NextToken") ? answer.get("NextToken").asText() : null;
    } while (token != null);
    fragments.sort(Comparator.comparing(Listed::numeric));
    return fragments;
  }

  /** The fragments' Matroska documents, in the order asked. */
  List<VideoFragment> media(String stream, List<String> numbers) throws IOException {
    ObjectNode request = JSON.createObjectNode().put("StreamName", stream);
    ArrayNode list = request.putArray("Fragments");
    numbers.forEach(list::add);
    return VideoFragments.split(stream, post("/getMediaForFragmentList", request));
  }

  private byte[] post(String path, ObjectNode body) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(endpoint.resolve(path))
        .timeout(Duration.ofMinutes(1))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
        .build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while calling " + path + " on " + endpoint, e);
    }
    if (response.statusCode() != 200) {
      throw new IOException(path + " on " + endpoint + " answered " + response.statusCode() + ": "
          + new String(response.body(), StandardCharsets.UTF_8));
    }
    return response.body();
  }

  private static String seconds(long millis) {
    return BigDecimal.valueOf(millis).movePointLeft(3).toPlainString();
  }
}
