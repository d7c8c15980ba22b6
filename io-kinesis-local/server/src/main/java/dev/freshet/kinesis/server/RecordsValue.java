package dev.freshet.kinesis.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import dev.freshet.sdk.stream.EncryptionType;
import dev.freshet.sdk.stream.Record;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;

/**
 * The {@code Records} member of a GetRecords answer, written straight to the response's generator
 * as it is encoded: the same members, in the same order and encoding, as {@link
 * Operations#recordNode} gives one record, without building a tree of nodes for each record (up
 * to 10,000 per answer) only to walk it once.
 */
final class RecordsValue implements JsonSerializable {
  private final WireFormat format;
  private final List<Record> records;

  RecordsValue(WireFormat format, List<Record> records) {
    this.format = format;
    this.records = records;
  }

  @Override
  public void serialize(JsonGenerator generator, SerializerProvider provider) throws IOException {
    generator.writeStartArray(records, records.size());
    for (Record record : records) {
      generator.writeStartObject(record);
      generator.writeStringField("SequenceNumber", record.sequenceNumber());
      generator.writeFieldName("ApproximateArrivalTimestamp");
      long millis = record.approximateArrivalTimestamp().toEpochMilli();
      if (format == WireFormat.JSON) {
        generator.writeNumber(BigDecimal.valueOf(millis).movePointLeft(3));
      } else {
        // Tag 1 and epoch milliseconds, as WireFormat.CborTimestamp writes them.
        ((CBORGenerator) generator).writeTag(1);
        generator.writeNumber(millis);
      }
      generator.writeFieldName("Data");
      // A byte string in CBOR; base64 (standard alphabet, padded) in JSON.
      generator.writeBinary(record.data());
      generator.writeStringField("PartitionKey", record.partitionKey());
      if (record.encryptionType() != EncryptionType.NONE) {
        generator.writeStringField("EncryptionType", record.encryptionType().name());
      }
      generator.writeEndObject();
    }
    generator.writeEndArray();
  }

  @Override
  public void serializeWithType(JsonGenerator generator, SerializerProvider provider, TypeSerializer typeSerializer)
      throws IOException {
    serialize(generator, provider);
  }
}
