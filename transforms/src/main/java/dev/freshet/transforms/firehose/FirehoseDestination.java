package dev.freshet.transforms.firehose;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Where {@link FirehoseDelivery} puts its objects: {@link #localFiles(Path)} or an S3 API ({@link
 * S3Destination}). Implementations must be serializable; each worker connects once and puts many
 * objects through its {@link Connection}.
 *
 * <p>Destinations that take records rather than objects (an HTTP endpoint, a database table) are
 * {@link BatchDestination}s: their {@link #connect()} is the object store beside them, which holds
 * the error output.
 */
public interface FirehoseDestination extends Serializable {
  /** Objects as files under {@code folder}; an object key's slashes become sub-folders. */
  static FirehoseDestination localFiles(Path folder) {
    return new LocalFilesDestination(folder.toAbsolutePath().toString());
  }

  /** Connects; called once per worker instance, closed when the worker is torn down. */
  Connection connect() throws IOException;

  /** A short description for logs and error messages (never credentials). */
  String describe();

  /** An open destination. */
  interface Connection extends AutoCloseable {
    /**
     * Puts one object: {@code body} writes its bytes. The object appears whole or not at all;
     * a failed put leaves nothing visible and throws.
     */
    void put(String key, Body body) throws IOException;

    @Override
    void close() throws IOException;
  }

  /** Writes an object's bytes. */
  @FunctionalInterface
  interface Body {
    void writeTo(OutputStream out) throws IOException;
  }
}
