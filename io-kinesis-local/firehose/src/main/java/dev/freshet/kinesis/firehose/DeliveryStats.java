package dev.freshet.kinesis.firehose;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.transforms.firehose.DeliveredObject;
import dev.freshet.transforms.firehose.DeliveryEngine;
import dev.freshet.transforms.firehose.FirehoseErrorRecord;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jspecify.annotations.Nullable;

/**
 * What one delivery stream has delivered since the server started: deliveries, records and bytes,
 * the last delivery, failed attempts, and the newest objects and error records (a few of each), for
 * the console. Updated by the delivery thread once per delivery, read by any thread.
 */
final class DeliveryStats {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int KEPT = 20;

  private long deliveries;
  private long records;
  private long bytes;
  private long errorRecords;
  private long lastDeliveryMillis;
  private long failures;
  private @Nullable String lastFailure;
  private long lastFailureMillis;
  private final Deque<DeliveredObject> objects = new ArrayDeque<>();
  private final Deque<String> errors = new ArrayDeque<>();

  synchronized void delivered(int recordCount, long byteCount, DeliveryEngine.Outcome outcome, long nowMillis) {
    deliveries++;
    records += recordCount;
    bytes += byteCount;
    lastDeliveryMillis = nowMillis;
    for (DeliveredObject object : outcome.objects()) {
      keep(objects, object);
    }
    for (FirehoseErrorRecord error : outcome.errors()) {
      errorRecords++;
      keep(errors, error.toJson());
    }
  }

  synchronized void failed(String why, long nowMillis) {
    failures++;
    lastFailure = why;
    lastFailureMillis = nowMillis;
  }

  private static <T> void keep(Deque<T> deque, T value) {
    deque.addFirst(value);
    while (deque.size() > KEPT) {
      deque.removeLast();
    }
  }

  /** The counters as JSON; error records as the objects written to the error output. */
  synchronized ObjectNode toJson() {
    ObjectNode node = JSON.createObjectNode();
    node.put("deliveries", deliveries);
    node.put("records", records);
    node.put("bytes", bytes);
    node.put("errorRecords", errorRecords);
    if (lastDeliveryMillis > 0) {
      node.put("lastDeliveryMillis", lastDeliveryMillis);
    }
    node.put("failures", failures);
    if (lastFailure != null) {
      node.put("lastFailure", lastFailure);
      node.put("lastFailureMillis", lastFailureMillis);
    }
    ArrayNode objectArray = node.putArray("objects");
    for (DeliveredObject object : objects) {
      objectArray.addObject().put("key", object.key()).put("records", object.recordCount())
          .put("bytes", object.uncompressedBytes()).put("errorOutput", object.errorOutput());
    }
    ArrayNode errorArray = node.putArray("errors");
    for (String error : errors) {
      try {
        errorArray.add(JSON.readTree(error));
      } catch (IOException e) {
        errorArray.add(error);
      }
    }
    return node;
  }
}
