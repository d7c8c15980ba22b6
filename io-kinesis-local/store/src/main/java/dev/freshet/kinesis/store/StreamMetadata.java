package dev.freshet.kinesis.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.freshet.kinesis.log.LogFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a stream's {@code stream.json} holds: everything about a stream except its records. It is
 * rewritten whole, atomically (temporary file, fsync, rename, fsync of the folder; a new stream
 * folder is itself forced into its parent), on every change, so a crash leaves either the old or
 * the new version. Changes are rare (create, reshard, tags, retention, consumers), so a whole-file
 * rewrite costs nothing that matters.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record StreamMetadata(
    int version,
    String name,
    long incarnation,
    String mode,
    int retentionHours,
    long createdMillis,
    String status,
    long statusUntilMillis,
    Map<String, String> tags,
    @Nullable String keyId,
    Set<String> enhancedMonitoring,
    int nextShardOrdinal,
    List<ShardMetadata> shards,
    List<ConsumerMetadata> consumers) {

  static final int CURRENT_VERSION = 1;
  static final String FILE_NAME = "stream.json";

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** One shard: its place in the lineage, its hash-key range and, once closed, where it ended. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ShardMetadata(
      int ordinal,
      @Nullable Integer parent,
      @Nullable Integer adjacentParent,
      String startingHashKey,
      String endingHashKey,
      long createdMillis,
      @Nullable Long endingOffset,
      @Nullable Long closedMillis) {}

  /** One enhanced fan-out consumer. */
  record ConsumerMetadata(String name, long createdMillis) {}

  void save(Path streamDir, LogFiles files) throws IOException {
    files.createDirectories(streamDir);
    Path target = streamDir.resolve(FILE_NAME);
    Path temp = streamDir.resolve(FILE_NAME + ".tmp");
    ByteBuffer json = ByteBuffer.wrap(MAPPER.writeValueAsBytes(this));
    try (FileChannel channel =
        files.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      while (json.hasRemaining()) {
        channel.write(json);
      }
      channel.force(true);
    }
    files.move(temp, target);
    files.forceDirectory(streamDir);
  }

  static StreamMetadata load(Path streamDir) throws IOException {
    StreamMetadata metadata =
        MAPPER.readValue(streamDir.resolve(FILE_NAME).toFile(), StreamMetadata.class);
    if (metadata.version() > CURRENT_VERSION) {
      throw new IOException(
          "stream metadata in " + streamDir + " has version " + metadata.version()
              + ", newer than this Freshet understands (" + CURRENT_VERSION + ")");
    }
    return metadata;
  }

  static boolean exists(Path streamDir) {
    return Files.isRegularFile(streamDir.resolve(FILE_NAME));
  }
}
