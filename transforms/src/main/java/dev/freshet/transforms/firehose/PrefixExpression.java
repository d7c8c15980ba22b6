package dev.freshet.transforms.firehose;

import com.google.common.collect.ImmutableList;
import java.io.Serializable;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A custom prefix with the service's {@code !{namespace:value}} expressions, parsed and checked
 * once when the transform is built and evaluated for every object.
 *
 * <p>Namespaces: {@code timestamp} (a {@link DateTimeFormatter} pattern over the arrival time of
 * the object's oldest record; every use in one prefix sees the same instant), {@code firehose}
 * ({@code random-string}: 11 random letters and digits; {@code error-output-type}: only in an
 * error output prefix), {@code partitionKeyFromQuery} and {@code partitionKeyFromLambda} (dynamic
 * partitioning; not in an error output prefix).
 */
final class PrefixExpression implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The service's limit on Prefix and ErrorOutputPrefix. */
  static final int MAX_LENGTH = 1024;
  static final String DEFAULT_TIME_PREFIX = "!{timestamp:yyyy/MM/dd/HH/}";
  private static final char[] RANDOM_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What a prefix may refer to, known when the transform is built. */
  record Scope(boolean errorPrefix, Set<String> queryKeys, boolean transformerConfigured) {}

  /** One piece of a prefix. */
  sealed interface Part extends Serializable permits Literal, Timestamp, RandomString, ErrorOutputType,
      QueryKey, LambdaKey {}

  record Literal(String text) implements Part {}

  record Timestamp(String pattern) implements Part {}

  record RandomString() implements Part {}

  record ErrorOutputType() implements Part {}

  record QueryKey(String key) implements Part {}

  record LambdaKey(String key) implements Part {}

  private final String source;
  private final ImmutableList<Part> parts;
  private transient @Nullable Map<String, DateTimeFormatter> formatters;

  private PrefixExpression(String source, List<Part> parts) {
    this.source = source;
    this.parts = ImmutableList.copyOf(parts);
  }

  /**
   * Parses {@code source}, the value of the setting named {@code setting}; throws {@link
   * IllegalArgumentException} naming the setting and the expression at fault.
   */
  static PrefixExpression parse(String setting, String source, Scope scope) {
    if (source.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(String.format(
          "%s must be at most %d characters, but was %d characters", setting, MAX_LENGTH, source.length()));
    }
    List<Part> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < source.length()) {
      int start = source.indexOf("!{", i);
      if (start < 0) {
        literal.append(source, i, source.length());
        break;
      }
      literal.append(source, i, start);
      int end = source.indexOf('}', start + 2);
      int nestedOpen = source.indexOf('{', start + 2);
      if (end < 0 || (nestedOpen >= 0 && nestedOpen < end)) {
        String rest = source.substring(start, end < 0 ? source.length() : end + 1);
        throw new IllegalArgumentException(String.format(
            "%s has unbalanced braces at position %d: %s (expressions are !{namespace:value})",
            setting, start, rest));
      }
      if (literal.length() > 0) {
        parts.add(new Literal(literal.toString()));
        literal.setLength(0);
      }
      parts.add(expression(setting, source.substring(start, end + 1), scope));
      i = end + 1;
    }
    if (literal.length() > 0) {
      parts.add(new Literal(literal.toString()));
    }
    return new PrefixExpression(source, parts);
  }

  private static Part expression(String setting, String expression, Scope scope) {
    String body = expression.substring(2, expression.length() - 1);
    int colon = body.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(String.format(
          "%s: expression %s has no namespace (expressions are !{namespace:value})", setting, expression));
    }
    String namespace = body.substring(0, colon);
    String value = body.substring(colon + 1);
    if (value.isEmpty()) {
      throw new IllegalArgumentException(String.format("%s: expression %s has no value", setting, expression));
    }
    switch (namespace) {
      case "timestamp":
        try {
          DateTimeFormatter.ofPattern(value).withZone(ZoneId.of("UTC")).format(Instant.EPOCH);
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
          throw new IllegalArgumentException(String.format(
              "%s: expression %s is not a valid Java DateTimeFormatter pattern: %s",
              setting, expression, e.getMessage()), e);
        }
        return new Timestamp(value);
      case "firehose":
        if (value.equals("random-string")) {
          return new RandomString();
        }
        if (value.equals("error-output-type")) {
          if (!scope.errorPrefix()) {
            throw new IllegalArgumentException(String.format(
                "%s: expression %s can only be used in the error output prefix", setting, expression));
          }
          return new ErrorOutputType();
        }
        throw new IllegalArgumentException(String.format(
            "%s: expression %s has an unknown firehose value %s (known: random-string, error-output-type)",
            setting, expression, value));
      case "partitionKeyFromQuery":
        if (scope.errorPrefix()) {
          throw new IllegalArgumentException(String.format(
              "%s: expression %s cannot be used in the error output prefix", setting, expression));
        }
        if (!scope.queryKeys().contains(value)) {
          throw new IllegalArgumentException(String.format(
              "%s: expression %s names partition key %s, but no query defines it (defined: %s); "
                  + "add withPartitionKeyFromQuery(\"%s\", jq)",
              setting, expression, value, scope.queryKeys(), value));
        }
        return new QueryKey(value);
      case "partitionKeyFromLambda":
        if (scope.errorPrefix()) {
          throw new IllegalArgumentException(String.format(
              "%s: expression %s cannot be used in the error output prefix", setting, expression));
        }
        if (!scope.transformerConfigured()) {
          throw new IllegalArgumentException(String.format(
              "%s: expression %s needs a record transformer that returns partition keys; "
                  + "set withRecordTransformer(...)", setting, expression));
        }
        return new LambdaKey(value);
      default:
        throw new IllegalArgumentException(String.format(
            "%s: expression %s has an unknown namespace %s (known: timestamp, firehose, "
                + "partitionKeyFromQuery, partitionKeyFromLambda)", setting, expression, namespace));
    }
  }

  /** True when the prefix has any expression, false when it is plain text. */
  boolean hasExpressions() {
    return parts.stream().anyMatch(p -> !(p instanceof Literal));
  }

  /** True when the prefix uses a partition key, so delivery partitions dynamically. */
  boolean usesPartitionKeys() {
    return parts.stream().anyMatch(p -> p instanceof QueryKey || p instanceof LambdaKey);
  }

  /** The keys of {@code !{partitionKeyFromLambda:k}} expressions. */
  List<String> lambdaKeys() {
    return parts.stream().filter(p -> p instanceof LambdaKey).map(p -> ((LambdaKey) p).key()).toList();
  }

  /** The keys of {@code !{partitionKeyFromQuery:k}} expressions. */
  List<String> queryKeys() {
    return parts.stream().filter(p -> p instanceof QueryKey).map(p -> ((QueryKey) p).key()).toList();
  }

  String source() {
    return source;
  }

  /**
   * The prefix for an object whose oldest record arrived at {@code oldest}, with the record's
   * partition keys ({@code query:k} and {@code lambda:k} entries) and error output type.
   */
  String evaluate(Instant oldest, ZoneId zone, Map<String, String> partitionKeys,
      @Nullable String errorOutputType) {
    StringBuilder out = new StringBuilder();
    for (Part part : parts) {
      if (part instanceof Literal literal) {
        out.append(literal.text());
      } else if (part instanceof Timestamp timestamp) {
        out.append(formatter(timestamp.pattern()).withZone(zone).format(oldest));
      } else if (part instanceof RandomString) {
        out.append(randomString());
      } else if (part instanceof ErrorOutputType) {
        out.append(errorOutputType == null ? "" : errorOutputType);
      } else if (part instanceof QueryKey key) {
        out.append(partitionKeys.get(DeliveryKey.queryKey(key.key())));
      } else if (part instanceof LambdaKey key) {
        out.append(partitionKeys.get(DeliveryKey.lambdaKey(key.key())));
      }
    }
    return out.toString();
  }

  private DateTimeFormatter formatter(String pattern) {
    if (formatters == null) {
      formatters = new java.util.HashMap<>();
    }
    return formatters.computeIfAbsent(pattern, DateTimeFormatter::ofPattern);
  }

  static String randomString() {
    char[] chars = new char[11];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = RANDOM_CHARS[RANDOM.nextInt(RANDOM_CHARS.length)];
    }
    return new String(chars);
  }

  @Override
  public String toString() {
    return source;
  }
}
