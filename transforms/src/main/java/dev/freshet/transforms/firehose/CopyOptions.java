package dev.freshet.transforms.firehose;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The subset of Redshift's {@code COPY} data format options that {@link PostgresDestination}
 * carries over to PostgreSQL's {@code COPY ... FROM STDIN}: Redshift's default (text, fields
 * delimited by {@code |}), {@code DELIMITER}, {@code CSV [QUOTE]}, {@code NULL AS}, and {@code JSON
 * 'auto'} / {@code JSON 'auto ignorecase'}.
 *
 * <p>PostgreSQL has no JSON format for {@code COPY}, so {@code JSON 'auto'} is done here, as Redshift
 * does it: each record is one JSON object whose keys are matched to the column names (exactly, or
 * ignoring case), and the rows are sent to {@code COPY} as CSV. A key without a column is ignored,
 * a column without a key gets NULL (so its DEFAULT does not apply, as in Redshift), and a nested
 * object or array is loaded as its JSON text. A record that is not a JSON object fails the load.
 */
public final class CopyOptions implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How records are read. */
  enum Format { TEXT, CSV, JSON_AUTO, JSON_AUTO_IGNORECASE }

  private final Format format;
  private final char delimiter;
  private final char quote;
  private final @Nullable String nullAs;

  private CopyOptions(Format format, char delimiter, char quote, @Nullable String nullAs) {
    this.format = format;
    this.delimiter = delimiter;
    this.quote = quote;
    this.nullAs = nullAs;
  }

  /** Redshift's default: text lines, fields delimited by {@code |}, {@code \N} for NULL. */
  public static CopyOptions text() {
    return new CopyOptions(Format.TEXT, '|', '"', null);
  }

  /** {@code CSV}: fields delimited by commas, quoted with {@code "}. */
  public static CopyOptions csv() {
    return new CopyOptions(Format.CSV, ',', '"', null);
  }

  /** {@code JSON 'auto'}: JSON objects, keys matched to column names exactly. */
  public static CopyOptions jsonAuto() {
    return new CopyOptions(Format.JSON_AUTO, ',', '"', null);
  }

  /** {@code JSON 'auto ignorecase'}: JSON objects, keys matched to column names ignoring case. */
  public static CopyOptions jsonAutoIgnoreCase() {
    return new CopyOptions(Format.JSON_AUTO_IGNORECASE, ',', '"', null);
  }

  /** {@code DELIMITER 'c'} for text or CSV records. */
  public CopyOptions withDelimiter(char c) {
    checkArgument(format == Format.TEXT || format == Format.CSV, "DELIMITER applies to text or CSV records, not JSON");
    checkArgument(c != '\n' && c != '\r', "the delimiter cannot be a line break");
    return new CopyOptions(format, c, quote, nullAs);
  }

  /** {@code QUOTE 'c'} for CSV records. */
  public CopyOptions withQuote(char c) {
    checkArgument(format == Format.CSV, "QUOTE applies to CSV records only");
    return new CopyOptions(format, delimiter, c, nullAs);
  }

  /** {@code NULL AS 'text'} for text or CSV records. */
  public CopyOptions withNullAs(String text) {
    checkNotNull(text, "nullAs");
    checkArgument(format == Format.TEXT || format == Format.CSV, "NULL AS applies to text or CSV records, not JSON");
    return new CopyOptions(format, delimiter, quote, text);
  }

  Format format() {
    return format;
  }

  boolean isJson() {
    return format == Format.JSON_AUTO || format == Format.JSON_AUTO_IGNORECASE;
  }

  /** The PostgreSQL statement, for a table and its column list (empty: every column, in order). */
  String copyStatement(String table, List<String> columns) {
    StringBuilder sql = new StringBuilder("COPY ").append(table);
    if (!columns.isEmpty()) {
      sql.append(" (").append(String.join(", ", columns)).append(')');
    }
    sql.append(" FROM STDIN WITH (FORMAT ").append(format == Format.TEXT ? "text" : "csv");
    sql.append(", DELIMITER ").append(literal(String.valueOf(delimiter)));
    if (format == Format.CSV) {
      sql.append(", QUOTE ").append(literal(String.valueOf(quote)));
    }
    if (nullAs != null) {
      sql.append(", NULL ").append(literal(nullAs));
    }
    return sql.append(')').toString();
  }

  private static String literal(String text) {
    return "E'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** A batch that can never load (retrying the same records cannot help). */
  static final class BadDataException extends Exception {
    private static final long serialVersionUID = 1L;

    BadDataException(String message) {
      super(message);
    }
  }

  /** The rows {@code COPY} reads: the records as lines, or JSON records as CSV rows of {@code columns}. */
  byte[] rows(List<byte[]> records, List<String> columns) throws BadDataException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!isJson()) {
      for (byte[] record : records) {
        out.writeBytes(record);
        if (record.length == 0 || record[record.length - 1] != '\n') {
          out.write('\n');
        }
      }
      return out.toByteArray();
    }
    boolean ignoreCase = format == Format.JSON_AUTO_IGNORECASE;
    StringBuilder line = new StringBuilder();
    int n = 0;
    for (byte[] record : records) {
      n++;
      JsonNode json;
      try {
        json = JSON.readTree(record);
      } catch (JsonProcessingException e) {
        throw new BadDataException("record " + n + " of the batch is not JSON: " + e.getOriginalMessage());
      } catch (IOException e) {
        throw new BadDataException("record " + n + " of the batch is not JSON: " + e.getMessage());
      }
      if (json == null || !json.isObject()) {
        throw new BadDataException("record " + n + " of the batch is not a JSON object");
      }
      Map<String, JsonNode> fields = new HashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        fields.put(ignoreCase ? field.getKey().toLowerCase(Locale.ROOT) : field.getKey(), field.getValue());
      }
      line.setLength(0);
      for (int i = 0; i < columns.size(); i++) {
        if (i > 0) {
          line.append(',');
        }
        String column = unquote(columns.get(i));
        JsonNode value = fields.get(ignoreCase ? column.toLowerCase(Locale.ROOT) : column);
        if (value == null || value.isNull()) {
          continue;
        }
        String text = value.isValueNode() ? value.asText() : value.toString();
        line.append('"').append(text.replace("\"", "\"\"")).append('"');
      }
      line.append('\n');
      out.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  private static String unquote(String column) {
    return column.length() >= 2 && column.startsWith("\"") && column.endsWith("\"")
        ? column.substring(1, column.length() - 1).replace("\"\"", "\"")
        : column;
  }

  @Override
  public String toString() {
    return switch (format) {
      case JSON_AUTO -> "JSON 'auto'";
      case JSON_AUTO_IGNORECASE -> "JSON 'auto ignorecase'";
      case CSV -> "CSV DELIMITER '" + delimiter + "' QUOTE '" + quote + "'" + (nullAs == null ? "" : " NULL AS '" + nullAs + "'");
      case TEXT -> "DELIMITER '" + delimiter + "'" + (nullAs == null ? "" : " NULL AS '" + nullAs + "'");
    };
  }
}
