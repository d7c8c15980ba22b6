package dev.freshet.transforms.firehose;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.hive.ql.exec.vector.BytesColumnVector;
import org.apache.hadoop.hive.ql.exec.vector.ColumnVector;
import org.apache.hadoop.hive.ql.exec.vector.DoubleColumnVector;
import org.apache.hadoop.hive.ql.exec.vector.ListColumnVector;
import org.apache.hadoop.hive.ql.exec.vector.LongColumnVector;
import org.apache.hadoop.hive.ql.exec.vector.MapColumnVector;
import org.apache.hadoop.hive.ql.exec.vector.StructColumnVector;
import org.apache.hadoop.hive.ql.exec.vector.TimestampColumnVector;
import org.apache.hadoop.hive.ql.exec.vector.VectorizedRowBatch;
import org.apache.orc.TypeDescription;
import org.jspecify.annotations.Nullable;

/** The ORC types of an Avro record schema, and Avro records written into ORC column vectors. */
final class OrcColumns {
  private OrcColumns() {}

  /** The ORC struct of an Avro record (checked by {@link JsonRecords#checkSupported}). */
  static TypeDescription typeOf(Schema schema) {
    switch (schema.getType()) {
      case UNION:
        return typeOf(JsonRecords.nonNull(schema));
      case BOOLEAN:
        return TypeDescription.createBoolean();
      case INT:
        return schema.getLogicalType() instanceof LogicalTypes.Date
            ? TypeDescription.createDate() : TypeDescription.createInt();
      case LONG:
        return schema.getLogicalType() instanceof LogicalTypes.TimestampMillis
            || schema.getLogicalType() instanceof LogicalTypes.TimestampMicros
            ? TypeDescription.createTimestamp() : TypeDescription.createLong();
      case FLOAT:
        return TypeDescription.createFloat();
      case DOUBLE:
        return TypeDescription.createDouble();
      case STRING:
      case ENUM:
        return TypeDescription.createString();
      case RECORD:
        TypeDescription struct = TypeDescription.createStruct();
        for (Schema.Field field : schema.getFields()) {
          struct.addField(field.name(), typeOf(field.schema()));
        }
        return struct;
      case ARRAY:
        return TypeDescription.createList(typeOf(schema.getElementType()));
      case MAP:
        return TypeDescription.createMap(TypeDescription.createString(), typeOf(schema.getValueType()));
      default:
        throw new AssertionError("checked when the conversion was built: " + schema);
    }
  }

  /** Puts {@code record} in row {@code row} of {@code batch}. */
  static void setRow(VectorizedRowBatch batch, int row, GenericRecord record) {
    List<Schema.Field> fields = record.getSchema().getFields();
    for (int i = 0; i < fields.size(); i++) {
      set(batch.cols[i], row, record.get(i), fields.get(i).schema());
    }
  }

  @SuppressWarnings("unchecked")
  private static void set(ColumnVector vector, int row, @Nullable Object value, Schema schema) {
    if (value == null) {
      vector.noNulls = false;
      vector.isNull[row] = true;
      return;
    }
    vector.isNull[row] = false;
    Schema type = schema.getType() == Schema.Type.UNION ? JsonRecords.nonNull(schema) : schema;
    switch (type.getType()) {
      case BOOLEAN -> ((LongColumnVector) vector).vector[row] = (Boolean) value ? 1 : 0;
      case INT -> ((LongColumnVector) vector).vector[row] = (Integer) value;
      case LONG -> {
        long n = (Long) value;
        if (vector instanceof TimestampColumnVector timestamps) {
          boolean micros = type.getLogicalType() instanceof LogicalTypes.TimestampMicros;
          long millis = micros ? Math.floorDiv(n, 1000) : n;
          int nanos = micros ? (int) Math.floorMod(n, 1_000_000L) * 1000 : (int) Math.floorMod(n, 1000L) * 1_000_000;
          timestamps.time[row] = millis;
          timestamps.nanos[row] = nanos;
        } else {
          ((LongColumnVector) vector).vector[row] = n;
        }
      }
      case FLOAT -> ((DoubleColumnVector) vector).vector[row] = (Float) value;
      case DOUBLE -> ((DoubleColumnVector) vector).vector[row] = (Double) value;
      case STRING, ENUM -> {
        byte[] bytes = value.toString().getBytes(StandardCharsets.UTF_8);
        ((BytesColumnVector) vector).setVal(row, bytes);
      }
      case RECORD -> {
        StructColumnVector struct = (StructColumnVector) vector;
        GenericRecord nested = (GenericRecord) value;
        List<Schema.Field> fields = type.getFields();
        for (int i = 0; i < fields.size(); i++) {
          set(struct.fields[i], row, nested.get(i), fields.get(i).schema());
        }
      }
      case ARRAY -> {
        ListColumnVector list = (ListColumnVector) vector;
        List<Object> items = (List<Object>) value;
        int offset = list.childCount;
        list.offsets[row] = offset;
        list.lengths[row] = items.size();
        list.childCount += items.size();
        list.child.ensureSize(list.childCount, true);
        for (int i = 0; i < items.size(); i++) {
          set(list.child, offset + i, items.get(i), type.getElementType());
        }
      }
      case MAP -> {
        MapColumnVector map = (MapColumnVector) vector;
        Map<String, Object> entries = (Map<String, Object>) value;
        int offset = map.childCount;
        map.offsets[row] = offset;
        map.lengths[row] = entries.size();
        map.childCount += entries.size();
        map.keys.ensureSize(map.childCount, true);
        map.values.ensureSize(map.childCount, true);
        int i = offset;
        for (Map.Entry<String, Object> entry : entries.entrySet()) {
          ((BytesColumnVector) map.keys).setVal(i, entry.getKey().getBytes(StandardCharsets.UTF_8));
          set(map.values, i, entry.getValue(), type.getValueType());
          i++;
        }
      }
      default -> throw new AssertionError("checked when the conversion was built: " + type);
    }
  }
}
