package dev.freshet.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Writes numbered lines {@code <group>-<n>} to a log file the way an application does: appending
 * through a descriptor it keeps open, so after a rename it goes on writing to the renamed file,
 * and after a truncation it writes from the start. Every line written is added to {@code written}.
 */
final class LogWriter implements AutoCloseable {
  private final FileChannel out;
  private final List<String> written;
  private String group;
  private int next;

  LogWriter(Path file, String group, List<String> written) throws IOException {
    this.out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    this.group = group;
    this.written = written;
  }

  /** Lines written after this carry {@code group}: the content of a new file generation. */
  void group(String value) {
    group = value;
    next = 0;
  }

  void write(int lines) throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < lines; i++) {
      String line = String.format("%s-%06d %s%n", group, next++, "x".repeat(next % 50));
      text.append(line);
      synchronized (written) {
        written.add(line);
      }
    }
    ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      out.write(bytes);
    }
  }

  /** The truncate half of copy-truncate. */
  void truncate() throws IOException {
    out.truncate(0);
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
