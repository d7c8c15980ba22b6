package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.eventstream.Message;

class EventStreamEncoderTest {
  private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

  private static byte[] bytes(ByteBuf buffer) {
    try {
      return ByteBufUtil.getBytes(buffer);
    } finally {
      buffer.release();
    }
  }

  @Test
  void theAwsSdkDecodesAnEvent() {
    byte[] payload = "{\"Records\":[]}".getBytes(StandardCharsets.UTF_8);
    byte[] encoded = bytes(EventStreamEncoder.event(ALLOC, "SubscribeToShardEvent", "application/x-amz-json-1.1", payload));

    Message message = Message.decode(ByteBuffer.wrap(encoded));

    assertThat(message.getHeaders().get(":message-type").getString()).isEqualTo("event");
    assertThat(message.getHeaders().get(":event-type").getString()).isEqualTo("SubscribeToShardEvent");
    assertThat(message.getHeaders().get(":content-type").getString()).isEqualTo("application/x-amz-json-1.1");
    assertThat(message.getPayload()).isEqualTo(payload);
  }

  @Test
  void matchesTheAwsSdkEncodingByteForByte() {
    byte[] payload = {0, 1, 2, (byte) 0xff};
    byte[] ours = bytes(EventStreamEncoder.exception(ALLOC, "ResourceInUseException", "application/x-amz-cbor-1.1", payload));
    var headers = new java.util.LinkedHashMap<String, software.amazon.eventstream.HeaderValue>();
    headers.put(":message-type", software.amazon.eventstream.HeaderValue.fromString("exception"));
    headers.put(":exception-type", software.amazon.eventstream.HeaderValue.fromString("ResourceInUseException"));
    headers.put(":content-type", software.amazon.eventstream.HeaderValue.fromString("application/x-amz-cbor-1.1"));
    ByteBuffer theirs = new Message(headers, payload).toByteBuffer();

    byte[] theirBytes = new byte[theirs.remaining()];
    theirs.get(theirBytes);
    assertThat(ours).isEqualTo(theirBytes);
  }

  @Test
  void decodesMessagesSplitAtEveryByte() {
    byte[] first = bytes(EventStreamEncoder.event(ALLOC, "initial-response", "application/x-amz-json-1.1", "{}".getBytes(StandardCharsets.UTF_8)));
    byte[] second = bytes(EventStreamEncoder.event(ALLOC, "SubscribeToShardEvent", "application/x-amz-json-1.1", new byte[0]));
    byte[] stream = new byte[first.length + second.length];
    System.arraycopy(first, 0, stream, 0, first.length);
    System.arraycopy(second, 0, stream, first.length, second.length);

    EventStreamDecoder decoder = new EventStreamDecoder();
    List<EventStreamDecoder.Frame> frames = new ArrayList<>();
    for (byte b : stream) {
      frames.addAll(decoder.feed(new byte[] {b}));
    }

    assertThat(frames).extracting(f -> f.header(":event-type")).containsExactly("initial-response", "SubscribeToShardEvent");
    assertThat(frames.get(0).payloadText()).isEqualTo("{}");
    assertThat(frames.get(1).payload()).isEmpty();
    assertThat(decoder.pendingBytes()).isZero();
  }

  @Test
  void aCorruptedByteFailsTheCrc() {
    byte[] encoded = bytes(EventStreamEncoder.event(ALLOC, "SubscribeToShardEvent", "application/x-amz-json-1.1", "{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
    byte[] corrupted = Arrays.copyOf(encoded, encoded.length);
    corrupted[corrupted.length - 6] ^= 1;

    assertThatThrownBy(() -> new EventStreamDecoder().feed(corrupted)).hasMessageContaining("message CRC");
    assertThatThrownBy(() -> Message.decode(ByteBuffer.wrap(corrupted))).isInstanceOf(RuntimeException.class);
  }

  @Test
  void refusesAnOversizedHeader() {
    assertThatThrownBy(() -> EventStreamEncoder.encode(ALLOC, Map.of(":event-type", "x".repeat(40_000)), new byte[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(":event-type");
  }
}
