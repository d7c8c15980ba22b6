package dev.freshet.transforms.firehose;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Objects as files in a folder. Each object is written to a hidden temporary file beside its final
 * place, forced to disk, then renamed atomically, so readers never see a partial object.
 */
final class LocalFilesDestination implements FirehoseDestination {
  private static final long serialVersionUID = 1L;
  private final String folder;

  LocalFilesDestination(String folder) {
    this.folder = folder;
  }

  @Override
  public Connection connect() throws IOException {
    Path root = Paths.get(folder);
    Files.createDirectories(root);
    return new Connection() {
      @Override
      public void put(String key, Body body) throws IOException {
        Path target = resolve(root, key);
        Files.createDirectories(target.getParent());
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
          try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE,
                  StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
              OutputStream out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 64 * 1024)) {
            body.writeTo(new NonClosing(out));
            out.flush();
            channel.force(true);
          }
          try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + root + " cannot rename atomically", e);
          }
        } finally {
          Files.deleteIfExists(temp);
        }
      }

      @Override
      public void close() {}
    };
  }

  /** The file of an object key, refusing keys that would leave the folder. */
  private static Path resolve(Path root, String key) throws IOException {
    Path target = root.resolve(key).normalize();
    if (!target.startsWith(root) || target.equals(root) || key.endsWith("/")) {
      throw new IOException("object key " + key + " does not name a file under " + root);
    }
    return target;
  }

  @Override
  public String describe() {
    return "files under " + folder;
  }

  /**
   * Lets the body close its compressing stream (which finishes the format) without closing the
   * file before it is forced.
   */
  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
