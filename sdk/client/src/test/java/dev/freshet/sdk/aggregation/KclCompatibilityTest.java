package dev.freshet.sdk.aggregation;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;
import software.amazon.kinesis.retrieval.kpl.Messages;

/** Checks the codec against the Kinesis Client Library, the reference reader of the format. */
class KclCompatibilityTest {

  @Test
  void theKclDeaggregatesWhatWeEncode() {
    List<UserRecord> records = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      records.add(UserRecord.of("key-" + (i % 9), i % 4 == 0 ? Integer.toString(i * 1000) : null,
          ("payload " + i).getBytes(StandardCharsets.UTF_8)));
    }
    KinesisClientRecord stored = KinesisClientRecord.builder()
        .sequenceNumber("49590338271490256608559692538361571095921575989136588898")
        .approximateArrivalTimestamp(Instant.now())
        .partitionKey("key-0")
        .data(ByteBuffer.wrap(AggregatedRecords.encode(records)))
        .build();

    List<KinesisClientRecord> users = new AggregatorUtil().deaggregate(List.of(stored));

    assertThat(users).hasSize(records.size());
    for (int i = 0; i < records.size(); i++) {
      KinesisClientRecord user = users.get(i);
      assertThat(user.aggregated()).isTrue();
      assertThat(user.subSequenceNumber()).isEqualTo(i);
      assertThat(user.partitionKey()).isEqualTo(records.get(i).partitionKey());
      assertThat(user.explicitHashKey()).isEqualTo(records.get(i).explicitHashKey());
      byte[] data = new byte[user.data().remaining()];
      user.data().get(data);
      assertThat(data).isEqualTo(records.get(i).data());
    }
  }

  @Test
  void weDecodeWhatTheKplMessagesEncode() throws Exception {
    Messages.AggregatedRecord message = Messages.AggregatedRecord.newBuilder()
        .addPartitionKeyTable("p0")
        .addPartitionKeyTable("p1")
        .addExplicitHashKeyTable("99")
        .addRecords(Messages.Record.newBuilder().setPartitionKeyIndex(1).setData(ByteString.copyFromUtf8("a")))
        .addRecords(Messages.Record.newBuilder().setPartitionKeyIndex(0).setExplicitHashKeyIndex(0)
            .setData(ByteString.copyFromUtf8("b"))
            .addTags(Messages.Tag.newBuilder().setKey("color").setValue("blue")))
        .build();
    byte[] body = message.toByteArray();
    ByteBuffer aggregate = ByteBuffer.allocate(4 + body.length + 16)
        .put(AggregatorUtil.AGGREGATED_RECORD_MAGIC)
        .put(body)
        .put(MessageDigest.getInstance("MD5").digest(body));

    assertThat(AggregatedRecords.isAggregated(aggregate.array())).isTrue();
    List<UserRecord> users = AggregatedRecords.decode(aggregate.array());

    assertThat(users).hasSize(2);
    assertThat(users.get(0).partitionKey()).isEqualTo("p1");
    assertThat(users.get(0).explicitHashKey()).isNull();
    assertThat(users.get(0).data()).isEqualTo("a".getBytes(StandardCharsets.UTF_8));
    assertThat(users.get(1).partitionKey()).isEqualTo("p0");
    assertThat(users.get(1).explicitHashKey()).isEqualTo("99");
    assertThat(users.get(1).data()).isEqualTo("b".getBytes(StandardCharsets.UTF_8));
  }
}
