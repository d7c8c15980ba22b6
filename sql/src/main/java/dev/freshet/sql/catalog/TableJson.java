package dev.freshet.sql.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.extensions.sql.meta.Table;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;

/**
 * A table definition as a JSON document, readable by people and by the next release:
 *
 * <pre>{@code
 * {"version": 1, "name": "clicks", "type": "kinesis", "location": "clickstream",
 *  "columns": [{"name": "page", "type": "STRING", "nullable": true}, ...],
 *  "properties": {"format": "json"}}
 * }</pre>
 *
 * <p>Column types are Beam schema types; ARRAY, ITERABLE, MAP and ROW nest, and the SQL DATE, TIME
 * and TIMESTAMP-without-zone logical types are kept by their Beam identifiers. Any other type is
 * refused when the table is created, so a table is never stored in a form that cannot be read back.
 */
final class TableJson {
  static final int VERSION = 1;

  private static final Map<String, FieldType> LOGICAL_TYPES = Map.of(
      SqlTypes.DATE.getIdentifier(), FieldType.logicalType(SqlTypes.DATE),
      SqlTypes.TIME.getIdentifier(), FieldType.logicalType(SqlTypes.TIME),
      SqlTypes.DATETIME.getIdentifier(), FieldType.logicalType(SqlTypes.DATETIME));

  private TableJson() {}

  static ObjectNode toJson(ObjectMapper mapper, Table table) {
    ObjectNode node = mapper.createObjectNode();
    node.put("version", VERSION);
    node.put("name", table.getName());
    node.put("type", table.getType());
    if (table.getLocation() != null) {
      node.put("location", table.getLocation());
    }
    if (table.getComment() != null) {
      node.put("comment", table.getComment());
    }
    if (table.getPartitionFields() != null) {
      ArrayNode partitions = node.putArray("partitionFields");
      table.getPartitionFields().forEach(partitions::add);
    }
    node.set("columns", fields(mapper, table.getSchema(), table.getName()));
    node.set("properties", table.getProperties().deepCopy());
    return node;
  }

  private static ArrayNode fields(ObjectMapper mapper, Schema schema, String table) {
    ArrayNode columns = mapper.createArrayNode();
    for (Schema.Field field : schema.getFields()) {
      ObjectNode column = type(mapper, field.getType(), table, field.getName());
      column.put("name", field.getName());
      if (field.getDescription() != null && !field.getDescription().isEmpty()) {
        column.put("comment", field.getDescription());
      }
      columns.add(column);
    }
    return columns;
  }

  private static ObjectNode type(ObjectMapper mapper, FieldType type, String table, String column) {
    ObjectNode node = mapper.createObjectNode();
    node.put("type", type.getTypeName().name());
    node.put("nullable", Boolean.TRUE.equals(type.getNullable()));
    switch (type.getTypeName()) {
      case ARRAY:
      case ITERABLE:
        node.set("element", type(mapper, type.getCollectionElementType(), table, column));
        break;
      case MAP:
        node.set("key", type(mapper, type.getMapKeyType(), table, column));
        node.set("value", type(mapper, type.getMapValueType(), table, column));
        break;
      case ROW:
        node.set("fields", fields(mapper, type.getRowSchema(), table));
        break;
      case LOGICAL_TYPE:
        String identifier = type.getLogicalType().getIdentifier();
        if (!LOGICAL_TYPES.containsKey(identifier)) {
          throw new IllegalArgumentException("column " + column + " of table " + table + " has type " + type
              + ", which the catalog cannot store; use a standard SQL type");
        }
        node.put("logicalType", identifier);
        break;
      default:
        break;
    }
    return node;
  }

  static Table fromJson(JsonNode node) {
    int version = node.path("version").asInt(-1);
    if (version != VERSION) {
      throw new IllegalArgumentException("catalog format version " + version + " is not supported (this release "
          + "reads version " + VERSION + ")");
    }
    Table.Builder table = Table.builder()
        .name(text(node, "name"))
        .type(text(node, "type"))
        .schema(schema(node.path("columns")));
    if (node.hasNonNull("location")) {
      table.location(node.get("location").asText());
    }
    if (node.hasNonNull("comment")) {
      table.comment(node.get("comment").asText());
    }
    if (node.has("partitionFields")) {
      List<String> partitions = new ArrayList<>();
      node.get("partitionFields").forEach(p -> partitions.add(p.asText()));
      table.partitionFields(partitions);
    }
    JsonNode properties = node.path("properties");
    if (properties.isObject()) {
      table.properties((ObjectNode) properties.deepCopy());
    }
    return table.build();
  }

  private static Schema schema(JsonNode columns) {
    if (!columns.isArray()) {
      throw new IllegalArgumentException("'columns' must be an array");
    }
    Schema.Builder schema = Schema.builder();
    for (JsonNode column : columns) {
      Schema.Field field = Schema.Field.of(text(column, "name"), type(column));
      if (column.hasNonNull("comment")) {
        field = field.withDescription(column.get("comment").asText());
      }
      schema.addField(field);
    }
    return schema.build();
  }

  private static FieldType type(JsonNode node) {
    String name = text(node, "type");
    Schema.TypeName typeName;
    try {
      typeName = Schema.TypeName.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown column type " + name, e);
    }
    FieldType type;
    switch (typeName) {
      case ARRAY:
        type = FieldType.array(type(node.path("element")));
        break;
      case ITERABLE:
        type = FieldType.iterable(type(node.path("element")));
        break;
      case MAP:
        type = FieldType.map(type(node.path("key")), type(node.path("value")));
        break;
      case ROW:
        type = FieldType.row(schema(node.path("fields")));
        break;
      case LOGICAL_TYPE:
        type = LOGICAL_TYPES.get(text(node, "logicalType"));
        if (type == null) {
          throw new IllegalArgumentException("unknown logical type " + node.get("logicalType"));
        }
        break;
      default:
        type = FieldType.of(typeName);
    }
    return type.withNullable(node.path("nullable").asBoolean(false));
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("'" + field + "' is missing or not a string in " + node);
    }
    return value.asText();
  }
}
