package dev.freshet.sdk.remote;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.freshet.sdk.stream.ChildShard;
import dev.freshet.sdk.stream.EncryptionType;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.HashKeyRange;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.wire.RecordsAnswer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * Reads a successful GetRecords answer straight into the stream API's {@link Record}s, instead of
 * the AWS SDK's generic unmarshaller building its own model objects first (which cost about a
 * third of a StreamIO reader's CPU through {@code freshet server}). The SDK still sends, signs and
 * times the call and turns error answers into exceptions; only for a call carrying the {@link
 * #ANSWER} attribute does this read the body, keep what it read in the attribute and hand the SDK
 * an empty object in its place.
 *
 * <p>Such a call asks for Freshet's binary answer ({@link RecordsAnswer}) with a request header. A
 * {@code freshet server} answers in it whenever the answer continues the shard (the result's records
 * are then a {@link dev.freshet.sdk.stream.RecordPage} over the body, built as they are read); the answer that
 * ends a shard, and every answer of a server that does not know the header (the service, other
 * emulators), come as the Kinesis API's. A CBOR answer is read with Jackson's streaming parser:
 * {@code Records} (sequence number, arrival time as CBOR epoch milliseconds, data as a byte string,
 * partition key, encryption type), {@code NextShardIterator}, {@code MillisBehindLatest} and {@code
 * ChildShards}; members it does not know are skipped. A JSON answer (the SDK's CBOR turned off) and
 * an error pass through untouched and the caller falls back to the SDK's response.
 */
final class GetRecordsReader implements ExecutionInterceptor {
  /** Set per call by {@link RemoteStreamClient#getRecords}; filled in here. */
  static final ExecutionAttribute<Answer> ANSWER = new ExecutionAttribute<>("FreshetGetRecordsAnswer");

  private static final CBORFactory CBOR = new CBORFactory();
  private static final byte[] EMPTY_CBOR_OBJECT = {(byte) 0xA0};
  private static final byte[] EMPTY_JSON_OBJECT = {'{', '}'};

  /** One call's answer, once read. */
  static final class Answer {
    private @Nullable GetRecordsResult result;
    /** Whether the request went in CBOR, so that the SDK is to be handed an empty CBOR object. */
    private boolean cbor = true;

    /** Whether the answer came in Freshet's binary layout. */
    private boolean binary;

    /** The answer read from the body, or null if the body was left to the SDK. */
    @Nullable GetRecordsResult result() {
      return result;
    }

    /** Whether the answer came in Freshet's binary layout rather than the Kinesis API's. */
    boolean binary() {
      return binary;
    }
  }

  /** Asks a {@code freshet server} for its binary answer ({@link RecordsAnswer}); others ignore the header. */
  @Override
  public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
    Answer answer = attributes.getAttribute(ANSWER);
    if (answer == null) {
      return context.httpRequest();
    }
    answer.cbor = context.httpRequest().firstMatchingHeader("Content-Type")
        .map(type -> type.contains("cbor")).orElse(false);
    return context.httpRequest().toBuilder().putHeader(RecordsAnswer.HEADER, RecordsAnswer.VERSION).build();
  }

  @Override
  public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
      ExecutionAttributes attributes) {
    Answer answer = attributes.getAttribute(ANSWER);
    Optional<InputStream> body = context.responseBody();
    if (answer == null || body.isEmpty() || !context.httpResponse().isSuccessful()) {
      return body;
    }
    String type = context.httpResponse().firstMatchingHeader("Content-Type").orElse("");
    boolean binary = type.equals(RecordsAnswer.CONTENT_TYPE);
    if (!binary && !type.contains("cbor")) {
      return body;
    }
    try (InputStream in = body.get()) {
      answer.result = binary ? readBinary(in, context.httpResponse()) : read(in);
      answer.binary = binary;
    } catch (IOException | RuntimeException e) {
      throw SdkClientException.create("could not read the GetRecords answer: " + e.getMessage(), e);
    }
    return Optional.of(new ByteArrayInputStream(answer.cbor ? EMPTY_CBOR_OBJECT : EMPTY_JSON_OBJECT));
  }

  /**
   * Reads and decodes a binary answer, into one array of the answer's Content-Length when it gives
   * one. The answer's records are read from that array as the caller asks for them.
   */
  private static GetRecordsResult readBinary(InputStream in, SdkHttpResponse response) throws IOException {
    Optional<String> length = response.firstMatchingHeader("Content-Length");
    if (length.isEmpty()) {
      return RecordsAnswer.decode(in.readAllBytes());
    }
    int expected;
    try {
      expected = Integer.parseInt(length.get().trim());
    } catch (NumberFormatException e) {
      throw new IOException("the answer's Content-Length is not a length: " + length.get(), e);
    }
    if (expected < 0) {
      throw new IOException("the answer's Content-Length is negative: " + expected);
    }
    byte[] body = new byte[expected];
    int read = in.readNBytes(body, 0, expected); // straight into place, not through chunks
    if (read != expected) {
      throw new IOException("the answer ended after " + read + " of its " + expected + " bytes");
    }
    return RecordsAnswer.decode(body);
  }

  /** Reads a CBOR GetRecords answer. */
  static GetRecordsResult read(InputStream in) throws IOException {
    List<Record> records = List.of();
    String next = null;
    long millisBehind = 0;
    List<ChildShard> children = List.of();
    try (JsonParser parser = CBOR.createParser(in)) {
      expect(parser.nextToken(), JsonToken.START_OBJECT, "the answer");
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value == JsonToken.VALUE_NULL) {
          continue;
        }
        switch (name) {
          case "Records" -> records = records(parser);
          case "NextShardIterator" -> next = parser.getText();
          case "MillisBehindLatest" -> millisBehind = parser.getLongValue();
          case "ChildShards" -> children = childShards(parser);
          default -> parser.skipChildren();
        }
      }
    }
    return GetRecordsResult.of(records, next, millisBehind, children);
  }

  private static List<Record> records(JsonParser parser) throws IOException {
    expect(parser.currentToken(), JsonToken.START_ARRAY, "Records");
    List<Record> records = new ArrayList<>();
    while (parser.nextToken() == JsonToken.START_OBJECT) {
      String sequence = null;
      Instant arrival = null;
      byte[] data = null;
      String partitionKey = null;
      EncryptionType encryption = EncryptionType.NONE;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value == JsonToken.VALUE_NULL) {
          continue;
        }
        switch (name) {
          case "SequenceNumber" -> sequence = parser.getText();
          case "ApproximateArrivalTimestamp" -> arrival = timestamp(parser, value);
          case "Data" -> data = parser.getBinaryValue();
          case "PartitionKey" -> partitionKey = parser.getText();
          case "EncryptionType" -> encryption = parser.getText().equals("null")
              ? EncryptionType.NONE : EncryptionType.valueOf(parser.getText());
          default -> parser.skipChildren();
        }
      }
      if (sequence == null || arrival == null || data == null || partitionKey == null) {
        throw new IOException("a record lacks SequenceNumber, ApproximateArrivalTimestamp, Data or PartitionKey");
      }
      records.add(Record.of(sequence, arrival, partitionKey, data, encryption));
    }
    expect(parser.currentToken(), JsonToken.END_ARRAY, "the end of Records");
    return records;
  }

  /** CBOR timestamps are epoch milliseconds (the AWS SDKs' CBOR protocol), whole or not. */
  private static Instant timestamp(JsonParser parser, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NUMBER_INT) {
      return Instant.ofEpochMilli(parser.getLongValue());
    }
    if (value == JsonToken.VALUE_NUMBER_FLOAT) {
      return Instant.ofEpochMilli((long) Math.floor(parser.getDoubleValue()));
    }
    if (value == JsonToken.VALUE_STRING) {
      return Instant.parse(parser.getText());
    }
    throw new IOException("ApproximateArrivalTimestamp is not a timestamp: " + value);
  }

  private static List<ChildShard> childShards(JsonParser parser) throws IOException {
    expect(parser.currentToken(), JsonToken.START_ARRAY, "ChildShards");
    List<ChildShard> children = new ArrayList<>();
    while (parser.nextToken() == JsonToken.START_OBJECT) {
      String shardId = null;
      List<String> parents = new ArrayList<>();
      BigInteger startingHashKey = null;
      BigInteger endingHashKey = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value == JsonToken.VALUE_NULL) {
          continue;
        }
        switch (name) {
          case "ShardId" -> shardId = parser.getText();
          case "ParentShards" -> {
            expect(value, JsonToken.START_ARRAY, "ParentShards");
            while (parser.nextToken() == JsonToken.VALUE_STRING) {
              parents.add(parser.getText());
            }
          }
          case "HashKeyRange" -> {
            expect(value, JsonToken.START_OBJECT, "HashKeyRange");
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
              String key = parser.currentName();
              parser.nextToken();
              if (key.equals("StartingHashKey")) {
                startingHashKey = new BigInteger(parser.getText());
              } else if (key.equals("EndingHashKey")) {
                endingHashKey = new BigInteger(parser.getText());
              } else {
                parser.skipChildren();
              }
            }
          }
          default -> parser.skipChildren();
        }
      }
      if (shardId == null || startingHashKey == null || endingHashKey == null) {
        throw new IOException("a child shard lacks ShardId or HashKeyRange");
      }
      children.add(ChildShard.of(shardId, parents, HashKeyRange.of(startingHashKey, endingHashKey)));
    }
    return children;
  }

  private static void expect(@Nullable JsonToken actual, JsonToken expected, String what) throws IOException {
    if (actual != expected) {
      throw new IOException(what + ": expected " + expected + " but found " + actual);
    }
  }
}
