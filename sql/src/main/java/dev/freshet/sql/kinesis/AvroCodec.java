package dev.freshet.sql.kinesis;

import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.values.Row;

/**
 * One Avro binary datum per record, without a container or schema header, written with the Avro
 * schema Beam derives from the payload columns ({@code AvroUtils.toAvroSchema}): fields in column
 * order, a nullable column as a union with null, TIMESTAMP as {@code timestamp-millis}.
 */
final class AvroCodec extends PayloadCodec {
  private static final long serialVersionUID = 1L;

  private final SimpleFunction<byte[], Row> fromBytes;
  private final SimpleFunction<Row, byte[]> toBytes;

  AvroCodec(Schema schema) {
    super(schema);
    this.fromBytes = AvroUtils.getAvroBytesToRowFunction(schema);
    this.toBytes = AvroUtils.getRowToAvroBytesFunction(schema);
  }

  @Override
  public Row decode(byte[] data) {
    return fromBytes.apply(data);
  }

  @Override
  public byte[] encode(Row payload) {
    return toBytes.apply(payload);
  }
}
