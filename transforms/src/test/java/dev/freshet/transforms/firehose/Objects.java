package dev.freshet.transforms.firehose;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.xerial.snappy.SnappyFramedInputStream;

/**
 * Reads delivered objects back with readers independent of the code under test: java.util.zip for
 * gzip and ZIP, snappy-java's input streams for Snappy, by the object's extension.
 */
final class Objects {
  private Objects() {}

  /** Every object under {@code folder} (temporary files excluded), key → decompressed bytes. */
  static TreeMap<String, byte[]> read(Path folder) {
    TreeMap<String, byte[]> out = new TreeMap<>();
    if (!Files.exists(folder)) {
      return out;
    }
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String key = folder.relativize(file).toString().replace('\\', '/');
        out.put(key, decompress(key, Files.readAllBytes(file)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The object's bytes decompressed according to its extension. */
  static byte[] decompress(String key, byte[] body) {
    try {
      if (key.endsWith(".gz")) {
        return readAll(new GZIPInputStream(new ByteArrayInputStream(body)));
      }
      if (key.endsWith(".zip")) {
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(body))) {
          ZipEntry entry = zip.getNextEntry();
          if (entry == null) {
            throw new IOException("empty zip " + key);
          }
          byte[] data = zip.readAllBytes();
          if (zip.getNextEntry() != null) {
            throw new IOException("more than one entry in " + key);
          }
          return data;
        }
      }
      if (key.endsWith(".snappy")) {
        return readAll(new SnappyFramedInputStream(new ByteArrayInputStream(body)));
      }
      if (key.endsWith(".hsnappy")) {
        return hadoopSnappy(body);
      }
      return body;
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + key, e);
    }
  }

  /**
   * Hadoop's block format: per block, the uncompressed length, then chunks of (compressed length,
   * raw Snappy), all lengths 4-byte big-endian; decoded here by hand with Snappy.uncompress.
   */
  private static byte[] hadoopSnappy(byte[] body) throws IOException {
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(body);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (in.hasRemaining()) {
      int blockLength = in.getInt();
      int done = 0;
      while (done < blockLength) {
        int chunk = in.getInt();
        byte[] compressed = new byte[chunk];
        in.get(compressed);
        byte[] raw = org.xerial.snappy.Snappy.uncompress(compressed);
        out.write(raw);
        done += raw.length;
      }
    }
    return out.toByteArray();
  }

  private static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  /** The lines of every object, in key order (each object's last line ends with a newline). */
  static List<String> lines(TreeMap<String, byte[]> objects) {
    List<String> out = new ArrayList<>();
    for (byte[] body : objects.values()) {
      String text = new String(body, StandardCharsets.UTF_8);
      if (!text.isEmpty()) {
        out.addAll(List.of(text.substring(0, text.length() - (text.endsWith("\n") ? 1 : 0)).split("\n", -1)));
      }
    }
    return out;
  }
}
