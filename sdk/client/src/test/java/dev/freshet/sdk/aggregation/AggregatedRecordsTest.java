package dev.freshet.sdk.aggregation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AggregatedRecordsTest {
  private static final byte[] MAGIC = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};

  @Test
  void roundTripKeepsEveryRecordInOrderWithSharedKeyTables() {
    List<UserRecord> records = List.of(
        UserRecord.of("a", null, bytes("one")),
        UserRecord.of("b", "12345", bytes("two")),
        UserRecord.of("a", null, new byte[0]),
        UserRecord.of("ключ", "12345", bytes("four")),
        UserRecord.of("b", "340282366920938463463374607431768211455", bytes("five")));

    byte[] aggregate = AggregatedRecords.encode(records);

    assertThat(AggregatedRecords.isAggregated(aggregate)).isTrue();
    List<UserRecord> decoded = AggregatedRecords.decode(aggregate);
    assertThat(decoded).hasSize(records.size());
    for (int i = 0; i < records.size(); i++) {
      assertThat(decoded.get(i).partitionKey()).isEqualTo(records.get(i).partitionKey());
      assertThat(decoded.get(i).explicitHashKey()).isEqualTo(records.get(i).explicitHashKey());
      assertThat(decoded.get(i).data()).isEqualTo(records.get(i).data());
    }
  }

  @Test
  void largeRecordsUseMultiByteLengths() {
    Random random = new Random(7);
    List<UserRecord> records = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      byte[] data = new byte[random.nextInt(20_000)];
      random.nextBytes(data);
      records.add(UserRecord.of("key-" + (i % 7), null, data));
    }
    List<UserRecord> decoded = AggregatedRecords.decode(AggregatedRecords.encode(records));
    assertThat(decoded).extracting(UserRecord::partitionKey)
        .containsExactlyElementsOf(records.stream().map(UserRecord::partitionKey).toList());
    for (int i = 0; i < records.size(); i++) {
      assertThat(decoded.get(i).data()).isEqualTo(records.get(i).data());
    }
  }

  @Test
  void aggregatorPredictsTheExactEncodedSizeAndStopsAtTheLimit() {
    Aggregator aggregator = new Aggregator(10_000);
    Random random = new Random(3);
    int refused = 0;
    for (int i = 0; i < 200; i++) {
      UserRecord record = UserRecord.of("k" + random.nextInt(20), i % 3 == 0 ? Integer.toString(i % 9) : null,
          new byte[random.nextInt(300)]);
      int predicted = aggregator.sizeWith(record);
      if (aggregator.tryAdd(record)) {
        assertThat(aggregator.build()).hasSize(predicted);
        assertThat(aggregator.sizeInBytes()).isEqualTo(predicted).isLessThanOrEqualTo(10_000);
      } else {
        assertThat(predicted).isGreaterThan(10_000);
        refused++;
        aggregator.clear();
      }
    }
    assertThat(refused).isPositive();
  }

  @Test
  void anEmptyAggregatorRefusesOnlyARecordTooLargeToAggregate() {
    Aggregator aggregator = new Aggregator(AggregatedRecords.MAX_RECORD_BYTES);
    assertThat(aggregator.tryAdd(UserRecord.of("k", null, new byte[AggregatedRecords.MAX_RECORD_BYTES]))).isFalse();
    assertThat(aggregator.isEmpty()).isTrue();
    assertThat(aggregator.tryAdd(UserRecord.of("k", null, new byte[AggregatedRecords.MAX_RECORD_BYTES - 100]))).isTrue();
    assertThat(aggregator.build().length).isLessThanOrEqualTo(AggregatedRecords.MAX_RECORD_BYTES);
  }

  @Test
  void ordinaryRecordsAreNotAggregated() {
    assertThat(AggregatedRecords.isAggregated(bytes("plain"))).isFalse();
    assertThat(AggregatedRecords.isAggregated(new byte[0])).isFalse();
    assertThat(AggregatedRecords.isAggregated(MAGIC)).isFalse();
    byte[] withMagicButNoChecksum = concat(MAGIC, bytes("just some data that starts alike"));
    assertThat(AggregatedRecords.isAggregated(withMagicButNoChecksum)).isFalse();
    assertThatThrownBy(() -> AggregatedRecords.decode(bytes("plain")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("magic");
  }

  @Test
  void aFlippedBitFailsTheChecksum() {
    byte[] aggregate = AggregatedRecords.encode(List.of(UserRecord.of("k", "v")));
    aggregate[6] ^= 1;
    assertThat(AggregatedRecords.isAggregated(aggregate)).isFalse();
    assertThatThrownBy(() -> AggregatedRecords.decode(aggregate))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MD5");
  }

  @Test
  void aTruncatedAggregateIsRefused() {
    assertThatThrownBy(() -> AggregatedRecords.decode(Arrays.copyOf(MAGIC, 10)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
    // A message cut short inside a field, with a checksum that matches the cut message.
    byte[] full = AggregatedRecords.encode(List.of(UserRecord.of("key", "a value long enough")));
    byte[] body = Arrays.copyOfRange(full, 4, full.length - 16 - 5);
    assertThatThrownBy(() -> AggregatedRecords.decode(aggregateOf(body)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
  }

  @Test
  void aKeyIndexOutsideItsTableIsRefused() {
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    ProtoWire.writeBytes(message, 1, bytes("only-key"));
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    ProtoWire.writeTag(record, 1, ProtoWire.VARINT);
    ProtoWire.writeVarint(record, 3);
    ProtoWire.writeBytes(record, 3, bytes("data"));
    ProtoWire.writeBytes(message, 3, record.toByteArray());
    assertThatThrownBy(() -> AggregatedRecords.decode(aggregateOf(message.toByteArray())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partition_key_index 3 out of range");

    ByteArrayOutputStream withHashKey = new ByteArrayOutputStream();
    ProtoWire.writeBytes(withHashKey, 1, bytes("only-key"));
    record.reset();
    ProtoWire.writeTag(record, 1, ProtoWire.VARINT);
    ProtoWire.writeVarint(record, 0);
    ProtoWire.writeTag(record, 2, ProtoWire.VARINT);
    ProtoWire.writeVarint(record, 0);
    ProtoWire.writeBytes(record, 3, bytes("data"));
    ProtoWire.writeBytes(withHashKey, 3, record.toByteArray());
    assertThatThrownBy(() -> AggregatedRecords.decode(aggregateOf(withHashKey.toByteArray())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("explicit_hash_key_index 0 out of range");
  }

  @Test
  void aRecordWithoutDataIsRefusedAndTagsAreSkipped() {
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    ProtoWire.writeBytes(message, 1, bytes("k"));
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    ProtoWire.writeTag(record, 1, ProtoWire.VARINT);
    ProtoWire.writeVarint(record, 0);
    ProtoWire.writeBytes(record, 4, bytes("\n\u0003tag"));
    ProtoWire.writeBytes(message, 3, record.toByteArray());
    assertThatThrownBy(() -> AggregatedRecords.decode(aggregateOf(message.toByteArray())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing required data");

    ProtoWire.writeBytes(record, 3, bytes("payload"));
    ByteArrayOutputStream fixed = new ByteArrayOutputStream();
    ProtoWire.writeBytes(fixed, 1, bytes("k"));
    ProtoWire.writeBytes(fixed, 3, record.toByteArray());
    assertThat(AggregatedRecords.decode(aggregateOf(fixed.toByteArray())))
        .singleElement().satisfies(r -> assertThat(new String(r.data(), StandardCharsets.UTF_8)).isEqualTo("payload"));
  }

  @Test
  void encodingNothingIsRefused() {
    assertThatThrownBy(() -> AggregatedRecords.encode(List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
  }

  static byte[] aggregateOf(byte[] body) {
    try {
      return concat(concat(MAGIC, body), MessageDigest.getInstance("MD5").digest(body));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
