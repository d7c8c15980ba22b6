package dev.freshet.transforms.video;

import com.amazonaws.kinesisvideo.parser.ebml.InputStreamParserByteSource;
import com.amazonaws.kinesisvideo.parser.mkv.MkvElement;
import com.amazonaws.kinesisvideo.parser.mkv.MkvElementVisitException;
import com.amazonaws.kinesisvideo.parser.mkv.MkvElementVisitor;
import com.amazonaws.kinesisvideo.parser.mkv.StreamingMkvReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Walks a Matroska byte stream element by element with the Kinesis Video parser library's
 * streaming reader, which, unlike a file demuxer, accepts the unknown-size segments and clusters
 * of live streams and several documents one after another (GetMedia's output).
 */
final class MatroskaWalk {
  private MatroskaWalk() {}

  /**
   * Visits every element of {@code in} in order; a parse failure becomes an {@link IOException}
   * whose message starts with {@code what} (such as "fragment 42 of camera").
   */
  static void walk(InputStream in, MkvElementVisitor visitor, String what) throws IOException {
    StreamingMkvReader reader = StreamingMkvReader.createDefault(new InputStreamParserByteSource(in));
    try {
      while (reader.mightHaveNext()) {
        Optional<MkvElement> element = reader.nextIfAvailable();
        if (element.isPresent()) {
          element.get().accept(visitor);
        }
      }
    } catch (UncheckedIOException e) {
      // A visitor's own verdict on what it read.
      throw e.getCause();
    } catch (MkvElementVisitException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(what + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // The reader signals malformed EBML with unchecked exceptions (IllegalArgumentException,
      // IllegalStateException, BufferUnderflowException): all mean "not a Matroska stream we can read".
      throw new IOException(what + " is not a readable Matroska stream (" + e + ")", e);
    }
  }
}
