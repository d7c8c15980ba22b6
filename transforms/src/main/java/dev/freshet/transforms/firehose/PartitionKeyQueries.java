package dev.freshet.transforms.firehose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.collect.ImmutableSortedMap;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.thisptr.jackson.jq.BuiltinFunctionLoader;
import net.thisptr.jackson.jq.JsonQuery;
import net.thisptr.jackson.jq.Scope;
import net.thisptr.jackson.jq.Versions;
import org.jspecify.annotations.Nullable;

/**
 * The jq queries of dynamic partitioning (the service's MetadataExtraction processor, jq 1.6):
 * one query per partition key, each run over the record's JSON and yielding one scalar.
 */
final class PartitionKeyQueries implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Why a record could not be partitioned by query. */
  static final class ExtractionException extends Exception {
    private static final long serialVersionUID = 1L;

    ExtractionException(String message) {
      super(message);
    }
  }

  private final ImmutableSortedMap<String, String> queries;
  private transient @Nullable Map<String, JsonQuery> compiled;
  private transient @Nullable Scope scope;

  PartitionKeyQueries(Map<String, String> queries) {
    this.queries = ImmutableSortedMap.copyOf(queries);
  }

  /** Compiles {@code query}, throwing {@link IllegalArgumentException} naming the key if it is not jq. */
  static void validate(String key, String query) {
    try {
      JsonQuery.compile(query, Versions.JQ_1_6);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(String.format(
          "partition key query for %s is not a valid jq 1.6 expression: %s (%s)", key, query, e.getMessage()), e);
    }
  }

  boolean isEmpty() {
    return queries.isEmpty();
  }

  /** The partition keys ({@code query:k} entries) of one record. */
  Map<String, String> extract(byte[] data) throws ExtractionException {
    if (queries.isEmpty()) {
      return Map.of();
    }
    JsonNode record;
    try {
      record = JSON.readTree(data);
    } catch (IOException e) {
      throw new ExtractionException("Non JSON record provided");
    }
    if (record == null || record.isMissingNode()) {
      throw new ExtractionException("Non JSON record provided");
    }
    Map<String, String> keys = new LinkedHashMap<>();
    for (Map.Entry<String, JsonQuery> query : compiled().entrySet()) {
      List<JsonNode> out = new ArrayList<>();
      try {
        query.getValue().apply(Scope.newChildScope(scope), record, out::add);
      } catch (IOException | RuntimeException e) {
        throw new ExtractionException("the query for partition key " + query.getKey() + " failed: " + e.getMessage());
      }
      if (out.size() != 1 || out.get(0).isNull() || out.get(0).isContainerNode()) {
        throw new ExtractionException("the query for partition key " + query.getKey()
            + " did not yield one non-null scalar value");
      }
      keys.put(DeliveryKey.queryKey(query.getKey()), out.get(0).asText());
    }
    return keys;
  }

  private Map<String, JsonQuery> compiled() {
    if (compiled == null) {
      Scope root = Scope.newEmptyScope();
      BuiltinFunctionLoader.getInstance().loadFunctions(Versions.JQ_1_6, root);
      Map<String, JsonQuery> map = new LinkedHashMap<>();
      for (Map.Entry<String, String> query : queries.entrySet()) {
        try {
          map.put(query.getKey(), JsonQuery.compile(query.getValue(), Versions.JQ_1_6));
        } catch (IOException e) {
          throw new IllegalStateException("checked when the transform was built: " + query.getValue(), e);
        }
      }
      scope = root;
      compiled = map;
    }
    return compiled;
  }
}
