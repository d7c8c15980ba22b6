package dev.freshet.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jspecify.annotations.Nullable;

/**
 * One file a flow tails: its identity (file key and fingerprint), the producer id its records are
 * written under, how far it has been read and how far delivered. The channel stays open across a
 * rename, so a file renamed out of the glob is still read to its end.
 */
final class TrackedFile {
  /** The producer of this file's records: unique per file, kept in the checkpoint. */
  final String producerId;
  Path path;
  Object fileKey;
  @Nullable FileChannel channel;
  Fingerprint fingerprint;
  /**
   * The fingerprint in the checkpoint file. The file's records are sent only once it is as long as
   * {@link #fingerprint} (which covers what was read, up to {@value Fingerprint#MAX_BYTES}), so that
   * after a crash the checkpoint tells this content from whatever the file holds then.
   */
  @Nullable Fingerprint savedFingerprint;
  /** Bytes handed to the splitter. */
  long readOffset;
  /** Bytes delivered and checkpointed (or about to be, once the buffer holding them is acknowledged). */
  long ackedOffset;
  RecordSplitter splitter;
  long lastDataNanos;
  /** The size at the last scan, for the lag in the status line. */
  long size;
  /** Not found under the glob at the last scan: read to its end, then dropped. */
  boolean missing;

  TrackedFile(String producerId, Path path, Object fileKey, Fingerprint fingerprint, long offset, RecordSplitter splitter) {
    this.producerId = producerId;
    this.path = path;
    this.fileKey = fileKey;
    this.fingerprint = fingerprint;
    this.readOffset = offset;
    this.ackedOffset = offset;
    this.splitter = splitter;
    this.lastDataNanos = System.nanoTime();
  }

  void open(Path at) throws IOException {
    close();
    channel = FileChannel.open(at, StandardOpenOption.READ);
    path = at;
  }

  /** Reads what follows {@link #readOffset} into {@code buffer}; -1 at the end. */
  int read(ByteBuffer buffer) throws IOException {
    return channel.read(buffer, readOffset);
  }

  FileCheckpoint checkpoint() {
    return new FileCheckpoint(path.toString(), fileKey.toString(), fingerprint.length(), fingerprint.hash(),
        ackedOffset, producerId);
  }

  void close() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // A read-only channel holds nothing to lose on close.
      }
      channel = null;
    }
  }

  @Override
  public String toString() {
    return path + "@" + readOffset;
  }
}
