package dev.freshet.transforms.firehose;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.xerial.snappy.SnappyFramedOutputStream;
import org.xerial.snappy.SnappyHadoopCompatibleOutputStream;

/**
 * How a delivered object is compressed, with the file extension the service appends.
 *
 * <p>Beam's own {@code Compression} has no Snappy and cannot write ZIP, hence this enum.
 */
public enum CompressionFormat {
  /** As is; no extension. */
  UNCOMPRESSED(""),
  /** One gzip member; {@code .gz}. */
  GZIP(".gz"),
  /** A ZIP archive of one entry named like the object without {@code .zip}; {@code .zip}. */
  ZIP(".zip"),
  /** The Snappy framing format (snappy-java's {@code SnappyFramedInputStream} reads it); {@code .snappy}. */
  SNAPPY(".snappy"),
  /** Hadoop's block Snappy format, as Hadoop's {@code SnappyCodec} writes it; {@code .hsnappy}. */
  HADOOP_SNAPPY(".hsnappy");

  private final String extension;

  CompressionFormat(String extension) {
    this.extension = extension;
  }

  /** The extension appended to object names, with its dot; empty when uncompressed. */
  public String extension() {
    return extension;
  }

  /**
   * Wraps {@code out}; closing the returned stream finishes the compressed format and closes
   * {@code out}. {@code objectName} names the ZIP entry.
   */
  OutputStream wrap(OutputStream out, String objectName) throws IOException {
    switch (this) {
      case UNCOMPRESSED:
        return out;
      case GZIP:
        return new GZIPOutputStream(out, 64 * 1024);
      case ZIP:
        ZipOutputStream zip = new ZipOutputStream(out);
        String entry = objectName.substring(objectName.lastIndexOf('/') + 1);
        zip.putNextEntry(new ZipEntry(entry.endsWith(extension)
            ? entry.substring(0, entry.length() - extension.length()) : entry));
        return zip;
      case SNAPPY:
        return new SnappyFramedOutputStream(out);
      case HADOOP_SNAPPY:
        return new SnappyHadoopCompatibleOutputStream(out);
      default:
        throw new AssertionError(this);
    }
  }
}
