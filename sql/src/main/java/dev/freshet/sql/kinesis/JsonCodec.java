package dev.freshet.sql.kinesis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.util.RowJson.RowJsonDeserializer;
import org.apache.beam.sdk.util.RowJson.RowJsonSerializer;
import org.apache.beam.sdk.util.RowJsonUtils;
import org.apache.beam.sdk.values.Row;
import org.jspecify.annotations.Nullable;
import org.joda.time.DateTime;
import org.joda.time.Instant;

/**
 * JSON objects, fields by column name, through Beam's {@code RowJson} (the same mapping as {@code
 * StreamIO.readRows(schema, JSON)}): TIMESTAMP columns are ISO-8601 strings, unknown fields are
 * ignored, missing or null fields are NULL.
 */
final class JsonCodec extends PayloadCodec {
  private static final long serialVersionUID = 1L;
  private static final JsonFactory FACTORY = new JsonFactory();

  private transient @Nullable ObjectMapper reader;
  private transient @Nullable ObjectMapper writer;

  JsonCodec(Schema schema) {
    super(schema);
  }

  @Override
  public Row decode(byte[] data) {
    if (reader == null) {
      reader = RowJsonUtils.newObjectMapperWith(RowJsonDeserializer.forSchema(schema));
    }
    return RowJsonUtils.jsonToRow(reader, new String(data, StandardCharsets.UTF_8));
  }

  @Override
  public byte[] encode(Row payload) {
    if (writer == null) {
      writer = RowJsonUtils.newObjectMapperWith(RowJsonSerializer.forSchema(schema));
    }
    return RowJsonUtils.rowToJson(writer, payload).getBytes(StandardCharsets.UTF_8);
  }

  /** Scans the top level of the object for the field, without building the row. */
  @Override
  @Nullable Instant timestampOf(byte[] data, String field) {
    try (JsonParser parser = FACTORY.createParser(data)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a JSON object");
      }
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.getCurrentName();
        JsonToken value = parser.nextToken();
        if (name.equals(field)) {
          if (value == JsonToken.VALUE_NULL) {
            return null;
          }
          if (value != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException("field " + field + " must be an ISO-8601 string, but was " + value);
          }
          return DateTime.parse(parser.getText()).toInstant();
        }
        parser.skipChildren();
      }
      if (token != JsonToken.END_OBJECT) {
        throw new IllegalArgumentException("not a JSON object");
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("not valid JSON: " + e.getMessage(), e);
    }
  }
}
