package dev.freshet.sql;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A table's TBLPROPERTIES as flat text values, checked against the names its table type knows:
 * the first step of every table type's typed configuration, so that an unknown or misspelt
 * property, or a nested value, is refused with the property and the table named.
 */
public final class TableProperties {
  private TableProperties() {}

  /**
   * The properties of {@code table} (of type {@code tableType}), each a string or number value.
   *
   * @param valueKinds how the error for a nested value describes what is allowed, such as "a
   *     string"
   * @throws IllegalArgumentException naming the property, for an unknown name (with the known
   *     spelling when only the case differs) or a value that is not a string or number
   */
  public static Map<String, String> read(String tableType, String table, @Nullable JsonNode node,
      Set<String> known, String valueKinds) {
    ImmutableMap.Builder<String, String> out = ImmutableMap.builder();
    if (node == null) {
      return out.build();
    }
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> entry = fields.next();
      String key = entry.getKey();
      if (!known.contains(key)) {
        String hint = "";
        for (String name : known) {
          if (name.equalsIgnoreCase(key)) {
            hint = " (did you mean '" + name + "'?)";
          }
        }
        throw new IllegalArgumentException("unknown table property '" + key + "' of " + tableType + " table "
            + table + hint + "; known properties: " + ImmutableList.sortedCopyOf(known));
      }
      JsonNode value = entry.getValue();
      checkArgument(value.isValueNode() && !value.isNull(),
          "table property '%s' of %s table %s must be %s, but was: %s", key, tableType, table, valueKinds, value);
      out.put(key, value.asText());
    }
    return out.build();
  }
}
