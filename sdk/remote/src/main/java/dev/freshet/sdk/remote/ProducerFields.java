package dev.freshet.sdk.remote;

import dev.freshet.sdk.stream.PutRecordsEntry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Adds Freshet's idempotent-write members ({@code ProducerId}, {@code ProducerSequence}) to
 * PutRecord(s) bodies. The AWS SDK's model does not know them and would drop them, so for a call
 * that carries producers the body is written again from the entries, in the wire format the SDK
 * chose (CBOR or JSON, from the request's Content-Type), before the request is signed. Calls without
 * the {@link #PENDING} attribute pass through untouched.
 */
final class ProducerFields implements ExecutionInterceptor {
  /** The call's stream and entries; set per request by {@link RemoteStreamClient}. */
  static final ExecutionAttribute<Pending> PENDING = new ExecutionAttribute<>("FreshetProducerFields");

  /** What one idempotent call sends. */
  static final class Pending {
    final @Nullable String streamName;
    final @Nullable String streamArn;
    final List<PutRecordsEntry> entries;
    /** PutRecord (one entry, top-level members) rather than PutRecords. */
    final boolean single;
    final @Nullable String sequenceNumberForOrdering;
    @Nullable byte[] body;

    Pending(@Nullable String streamName, @Nullable String streamArn, List<PutRecordsEntry> entries,
        boolean single, @Nullable String sequenceNumberForOrdering) {
      this.streamName = streamName;
      this.streamArn = streamArn;
      this.entries = entries;
      this.single = single;
      this.sequenceNumberForOrdering = sequenceNumberForOrdering;
    }
  }

  @Override
  public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
    Pending pending = attributes.getAttribute(PENDING);
    if (pending == null) {
      return context.httpRequest();
    }
    return context.httpRequest().toBuilder()
        .putHeader("Content-Length", Integer.toString(body(pending, context.httpRequest()).length))
        .build();
  }

  @Override
  public Optional<RequestBody> modifyHttpContent(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
    Pending pending = attributes.getAttribute(PENDING);
    if (pending == null) {
      return context.requestBody();
    }
    return Optional.of(RequestBody.fromBytes(body(pending, context.httpRequest())));
  }

  /** The body with producers, written once per call whichever hook asks first. */
  private static byte[] body(Pending pending, SdkHttpRequest request) {
    if (pending.body == null) {
      boolean cbor = request.firstMatchingHeader("Content-Type").map(type -> type.contains("cbor")).orElse(false);
      Writer out = cbor ? new CborWriter() : new JsonWriter();
      write(pending, out);
      pending.body = out.bytes();
    }
    return pending.body;
  }

  private static void write(Pending pending, Writer out) {
    if (pending.single) {
      PutRecordsEntry entry = pending.entries.get(0);
      int members = count(entry) + (pending.streamName != null ? 1 : 0) + (pending.streamArn != null ? 1 : 0)
          + (pending.sequenceNumberForOrdering != null ? 1 : 0);
      out.startObject(members);
      stream(pending, out);
      if (pending.sequenceNumberForOrdering != null) {
        out.name("SequenceNumberForOrdering").string(pending.sequenceNumberForOrdering);
      }
      members(entry, out);
      out.endObject();
      return;
    }
    out.startObject(1 + (pending.streamName != null ? 1 : 0) + (pending.streamArn != null ? 1 : 0));
    stream(pending, out);
    out.name("Records").startArray(pending.entries.size());
    for (PutRecordsEntry entry : pending.entries) {
      out.startObject(count(entry));
      members(entry, out);
      out.endObject();
    }
    out.endArray();
    out.endObject();
  }

  private static void stream(Pending pending, Writer out) {
    if (pending.streamName != null) {
      out.name("StreamName").string(pending.streamName);
    }
    if (pending.streamArn != null) {
      out.name("StreamARN").string(pending.streamArn);
    }
  }

  private static int count(PutRecordsEntry entry) {
    return 2 + (entry.explicitHashKey() != null ? 1 : 0) + (entry.producerId() != null ? 2 : 0);
  }

  private static void members(PutRecordsEntry entry, Writer out) {
    out.name("Data").blob(entry.data());
    out.name("PartitionKey").string(entry.partitionKey());
    if (entry.explicitHashKey() != null) {
      out.name("ExplicitHashKey").string(entry.explicitHashKey());
    }
    if (entry.producerId() != null) {
      out.name("ProducerId").string(entry.producerId());
      out.name("ProducerSequence").string(entry.producerSequence().toString());
    }
  }

  /** The little of JSON and CBOR that a PutRecord(s) body needs. */
  private abstract static class Writer {
    final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    abstract Writer startObject(int members);

    abstract Writer endObject();

    abstract Writer startArray(int items);

    abstract Writer endArray();

    abstract Writer name(String name);

    abstract Writer string(String value);

    abstract Writer blob(byte[] value);

    byte[] bytes() {
      return buf.toByteArray();
    }
  }

  /** Definite-length CBOR (RFC 8949), as the SDK writes it. */
  private static final class CborWriter extends Writer {
    private void head(int major, long length) {
      int type = major << 5;
      if (length < 24) {
        buf.write(type | (int) length);
      } else if (length < 0x100) {
        buf.write(type | 24);
        buf.write((int) length);
      } else if (length < 0x10000) {
        buf.write(type | 25);
        buf.write((int) (length >>> 8));
        buf.write((int) length);
      } else {
        buf.write(type | 26);
        for (int shift = 24; shift >= 0; shift -= 8) {
          buf.write((int) (length >>> shift));
        }
      }
    }

    @Override
    Writer startObject(int members) {
      head(5, members);
      return this;
    }

    @Override
    Writer endObject() {
      return this;
    }

    @Override
    Writer startArray(int items) {
      head(4, items);
      return this;
    }

    @Override
    Writer endArray() {
      return this;
    }

    @Override
    Writer name(String name) {
      return string(name);
    }

    @Override
    Writer string(String value) {
      byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
      head(3, utf8.length);
      buf.writeBytes(utf8);
      return this;
    }

    @Override
    Writer blob(byte[] value) {
      head(2, value.length);
      buf.writeBytes(value);
      return this;
    }
  }

  /** JSON with base64 blobs, as the SDK writes it when CBOR is off. */
  private static final class JsonWriter extends Writer {
    /** Whether the next member or item needs a comma before it. */
    private boolean comma;

    private void raw(String text) {
      buf.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    private void separate() {
      if (comma) {
        buf.write(',');
      }
    }

    @Override
    Writer startObject(int members) {
      separate();
      buf.write('{');
      comma = false;
      return this;
    }

    @Override
    Writer endObject() {
      buf.write('}');
      comma = true;
      return this;
    }

    @Override
    Writer startArray(int items) {
      buf.write('[');
      comma = false;
      return this;
    }

    @Override
    Writer endArray() {
      buf.write(']');
      comma = true;
      return this;
    }

    @Override
    Writer name(String name) {
      separate();
      quoted(name);
      buf.write(':');
      comma = false;
      return this;
    }

    @Override
    Writer string(String value) {
      quoted(value);
      comma = true;
      return this;
    }

    @Override
    Writer blob(byte[] value) {
      raw("\"" + Base64.getEncoder().encodeToString(value) + "\"");
      comma = true;
      return this;
    }

    private void quoted(String value) {
      StringBuilder out = new StringBuilder(value.length() + 2).append('"');
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '"' || c == '\\') {
          out.append('\\').append(c);
        } else if (c < 0x20) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
      raw(out.append('"').toString());
    }
  }
}
