package dev.freshet.transforms.firehose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrefixExpressionTest {
  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final Instant T = Instant.parse("2024-03-07T09:41:05Z");
  private static final PrefixExpression.Scope DATA = new PrefixExpression.Scope(false, Set.of("customer"), true);
  private static final PrefixExpression.Scope ERRORS = new PrefixExpression.Scope(true, Set.of("customer"), true);

  private static String eval(String source, PrefixExpression.Scope scope, Map<String, String> keys, String type) {
    return PrefixExpression.parse("prefix", source, scope).evaluate(T, UTC, keys, type);
  }

  @Test
  void evaluatesTheDefaultTimePrefix() {
    assertThat(eval(PrefixExpression.DEFAULT_TIME_PREFIX, DATA, Map.of(), null)).isEqualTo("2024/03/07/09/");
  }

  @Test
  void evaluatesTimestampsInTheGivenZoneAndEveryUseSeesTheSameInstant() {
    PrefixExpression prefix = PrefixExpression.parse("prefix",
        "dt=!{timestamp:yyyy-MM-dd}/h=!{timestamp:HH}/", DATA);
    assertThat(prefix.evaluate(T, UTC, Map.of(), null)).isEqualTo("dt=2024-03-07/h=09/");
    assertThat(prefix.evaluate(T, ZoneId.of("Asia/Tokyo"), Map.of(), null)).isEqualTo("dt=2024-03-07/h=18/");
  }

  @Test
  void evaluatesPartitionKeysRandomStringsAndErrorOutputType() {
    assertThat(eval("c=!{partitionKeyFromQuery:customer}/d=!{partitionKeyFromLambda:device}/", DATA,
        Map.of("query:customer", "42", "lambda:device", "ios"), null)).isEqualTo("c=42/d=ios/");
    assertThat(eval("errors/!{firehose:error-output-type}/", ERRORS, Map.of(), "processing-failed"))
        .isEqualTo("errors/processing-failed/");
    String random = eval("r/!{firehose:random-string}/", DATA, Map.of(), null);
    assertThat(random).matches("r/[A-Za-z0-9]{11}/");
    assertThat(eval("r/!{firehose:random-string}/", DATA, Map.of(), null)).isNotEqualTo(random);
  }

  @Test
  void tellsPlainPrefixesFromPrefixesWithExpressions() {
    assertThat(PrefixExpression.parse("prefix", "logs/", DATA).hasExpressions()).isFalse();
    assertThat(PrefixExpression.parse("prefix", "logs/!{timestamp:yyyy}/", DATA).hasExpressions()).isTrue();
    assertThat(PrefixExpression.parse("prefix", "!{partitionKeyFromQuery:customer}/", DATA).usesPartitionKeys()).isTrue();
  }

  @Test
  void refusesAnUnknownNamespace() {
    assertThatThrownBy(() -> PrefixExpression.parse("prefix", "a/!{time:yyyy}/", DATA))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prefix").hasMessageContaining("!{time:yyyy}").hasMessageContaining("unknown namespace time");
  }

  @Test
  void refusesUnbalancedBraces() {
    assertThatThrownBy(() -> PrefixExpression.parse("prefix", "a/!{timestamp:yyyy/", DATA))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unbalanced braces")
        .hasMessageContaining("!{timestamp:yyyy/");
    assertThatThrownBy(() -> PrefixExpression.parse("prefix", "a/!{timestamp:{yyyy}/", DATA))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unbalanced braces");
  }

  @Test
  void refusesBadTimestampPatternsAndFirehoseValues() {
    assertThatThrownBy(() -> PrefixExpression.parse("prefix", "!{timestamp:yyyy-bb}", DATA))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("!{timestamp:yyyy-bb}")
        .hasMessageContaining("DateTimeFormatter");
    assertThatThrownBy(() -> PrefixExpression.parse("prefix", "!{firehose:uuid}", DATA))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown firehose value uuid");
    assertThatThrownBy(() -> PrefixExpression.parse("prefix", "!{timestamp:}", DATA))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no value");
    assertThatThrownBy(() -> PrefixExpression.parse("prefix", "!{yyyy}", DATA))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no namespace");
  }

  @Test
  void refusesExpressionsOutOfTheirPlace() {
    assertThatThrownBy(() -> PrefixExpression.parse("prefix", "!{firehose:error-output-type}/", DATA))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("!{firehose:error-output-type} can only be used in the error output prefix");
    assertThatThrownBy(() -> PrefixExpression.parse("errorOutputPrefix", "!{partitionKeyFromQuery:customer}/", ERRORS))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("errorOutputPrefix")
        .hasMessageContaining("cannot be used in the error output prefix");
    assertThatThrownBy(() -> PrefixExpression.parse("prefix", "!{partitionKeyFromQuery:device}/", DATA))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("!{partitionKeyFromQuery:device}").hasMessageContaining("no query defines it");
    assertThatThrownBy(() -> PrefixExpression.parse("prefix", "!{partitionKeyFromLambda:device}/",
            new PrefixExpression.Scope(false, Set.of(), false)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a record transformer");
    assertThatThrownBy(() -> PrefixExpression.parse("prefix", "x".repeat(1025), DATA))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 1024 characters");
  }
}
