package dev.freshet.sdk.io;

/**
 * The payload format of {@link StreamIO#readRows}: a JSON object per record (fields by name,
 * through Beam's {@code RowJson}), or one CSV line per record (fields in schema order, RFC 4180
 * quoting).
 */
public enum RowFormat {
  JSON,
  CSV
}
