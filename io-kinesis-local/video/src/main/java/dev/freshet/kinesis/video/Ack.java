package dev.freshet.kinesis.video;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auto.value.AutoValue;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/** One PutMedia acknowledgement event, as the service sends it in PutMedia's response body. */
@AutoValue
public abstract class Ack {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The service's EventType values. */
  public enum EventType { BUFFERING, RECEIVED, PERSISTED, ERROR, IDLE }

  public abstract EventType eventType();

  /** The fragment's Cluster Timecode as sent, when known. */
  public abstract @Nullable Long fragmentTimecode();

  public abstract @Nullable String fragmentNumber();

  /** For {@link EventType#ERROR}. */
  public abstract @Nullable PutMediaError error();

  /** For {@link EventType#ERROR}: what was wrong (a Freshet addition to the service's shape). */
  public abstract @Nullable String message();

  static Ack of(EventType type, @Nullable Long timecode, @Nullable String fragmentNumber) {
    return new AutoValue_Ack(type, timecode, fragmentNumber, null, null);
  }

  static Ack error(@Nullable Long timecode, @Nullable String fragmentNumber, PutMediaError error, String message) {
    return new AutoValue_Ack(EventType.ERROR, timecode, fragmentNumber, error, message);
  }

  /** The event's JSON: {@code {"EventType":…,"FragmentTimecode":…,"FragmentNumber":…,"ErrorId":…}}. */
  public byte[] toJson() {
    ObjectNode node = JSON.createObjectNode();
    node.put("EventType", eventType().name());
    if (fragmentTimecode() != null) {
      node.put("FragmentTimecode", fragmentTimecode());
    }
    if (fragmentNumber() != null) {
      node.put("FragmentNumber", fragmentNumber());
    }
    if (error() != null) {
      node.put("ErrorId", error().errorId());
      node.put("ErrorCode", error().name());
      node.put("Message", message());
    }
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }
}
