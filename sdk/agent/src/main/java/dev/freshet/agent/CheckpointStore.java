package dev.freshet.agent;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The checkpoint file: per flow id, the {@link FileCheckpoint} of each file it tails. It is
 * rewritten whole after every acknowledged buffer: written beside, forced to disk, and renamed over
 * the old one, so a crash leaves either the old or the new file, never a torn one.
 */
final class CheckpointStore {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final TypeReference<Map<String, List<FileCheckpoint>>> TYPE = new TypeReference<>() {};

  private final Path file;
  private final Map<String, List<FileCheckpoint>> flows;

  private CheckpointStore(Path file, Map<String, List<FileCheckpoint>> flows) {
    this.file = file;
    this.flows = flows;
  }

  static CheckpointStore open(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.deleteIfExists(temporary(file));
    if (!Files.exists(file)) {
      return new CheckpointStore(file, new TreeMap<>());
    }
    try {
      Map<String, List<FileCheckpoint>> read = JSON.readValue(file.toFile(), TYPE);
      return new CheckpointStore(file, new TreeMap<>(read == null ? Map.of() : read));
    } catch (IOException e) {
      throw new IOException("checkpoint file " + file + " cannot be read (" + e.getMessage()
          + "); move it away to start every flow afresh", e);
    }
  }

  /** The flow's files as last saved, or null when the flow has never run. */
  synchronized @Nullable List<FileCheckpoint> flow(String flowId) {
    return flows.get(flowId);
  }

  synchronized void save(String flowId, List<FileCheckpoint> files) {
    flows.put(flowId, List.copyOf(files));
    Path tmp = temporary(file);
    try {
      byte[] bytes = JSON.writeValueAsBytes(flows);
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        out.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint file " + file, e);
    }
  }

  private static Path temporary(Path file) {
    return file.resolveSibling(file.getFileName() + ".tmp");
  }
}
