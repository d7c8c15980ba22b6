package dev.freshet.agent;

import dev.freshet.agent.RecordSplitter.Cut;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One flow's loop, on its own thread: scan the glob, read what is new in each file, cut and process
 * records into a buffer, and when the buffer is full or old enough deliver it and then, only once
 * every record in it is acknowledged, checkpoint the offsets it reached. One buffer is in flight at
 * a time, so a file's records are delivered in file order.
 */
final class Flow implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Flow.class);
  private static final int READ_CHUNK = 256 * 1024;
  /** New and rotated files are looked for at least this often while the current ones keep growing. */
  private static final long SCAN_WHILE_BUSY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final FlowConfig config;
  private final Destination destination;
  private final CheckpointStore checkpoints;
  private final FileTracker tracker;
  private final FlowStatus status;
  private final ByteBuffer chunk = ByteBuffer.allocate(READ_CHUNK);
  private final List<Destination.Item> buffer = new ArrayList<>();
  /** Files whose skipped lines advance their offset with this buffer. */
  private final List<Cut> skippedCuts = new ArrayList<>();
  private final List<TrackedFile> skippedFiles = new ArrayList<>();
  private long bufferBytes;
  private long bufferStartNanos;
  private volatile boolean running = true;
  private long lastScanNanos;
  private boolean scanNow;

  Flow(FlowConfig config, Destination destination, CheckpointStore checkpoints, FlowStatus status) {
    this.config = config;
    this.destination = destination;
    this.checkpoints = checkpoints;
    this.status = status;
    this.tracker = new FileTracker(config, checkpoints.flow(config.id()));
  }

  FlowStatus status() {
    return status;
  }

  /** Asks the loop to deliver what it holds and end. */
  void stop() {
    running = false;
  }

  @Override
  public void run() {
    try {
      tracker.scan();
      saveCheckpoint();
      while (running) {
        boolean progressed = false;
        for (TrackedFile file : new ArrayList<>(tracker.files())) {
          progressed |= readFrom(file);
        }
        if (!buffer.isEmpty() || !skippedCuts.isEmpty()) {
          long age = System.nanoTime() - bufferStartNanos;
          if (age >= TimeUnit.MILLISECONDS.toNanos(config.maxBufferAgeMillis())) {
            deliver();
          }
        }
        if (!progressed || scanNow || System.nanoTime() - lastScanNanos > SCAN_WHILE_BUSY_NANOS) {
          lastScanNanos = System.nanoTime();
          scanNow = false;
          tracker.dropFinished();
          if (tracker.scan()) {
            saveCheckpoint();
          }
          scanNow = tracker.rescanWanted();
          updateLag();
        }
        if (!progressed) {
          Thread.sleep(config.minTimeBetweenFilePollsMillis());
        }
      }
      deliver();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.info("Flow {} stopped before its last buffer was acknowledged; it is sent again on restart", config.id());
    } catch (IOException | RuntimeException e) {
      LOG.error("Flow {} failed and stopped: {}", config.id(), e.toString(), e);
    } finally {
      tracker.closeAll();
    }
  }

  /** Reads one chunk of {@code file}; whether anything was read. */
  private boolean readFrom(TrackedFile file) throws IOException, InterruptedException {
    if (file.channel == null) {
      return false;
    }
    chunk.clear();
    int n = file.read(chunk);
    long now = System.nanoTime();
    if (n <= 0) {
      if (file.splitter.holdsRecord()
          && now - file.lastDataNanos >= TimeUnit.MILLISECONDS.toNanos(config.maxBufferAgeMillis())) {
        List<Cut> cuts = new ArrayList<>();
        file.splitter.flushHeld(cuts::add);
        accept(file, cuts);
        return true;
      }
      return false;
    }
    // Checked after the read: if the file was truncated and written again before the read, its
    // first bytes changed, and the bytes read belong to the new content, not to this offset.
    if (!file.fingerprint.matches(file.channel)) {
      scanNow = true;
      return false;
    }
    file.fingerprint = file.fingerprint.grow(file.channel, file.readOffset + n);
    chunk.flip();
    List<Cut> cuts = new ArrayList<>();
    file.splitter.feed(chunk, file.readOffset, cuts::add);
    file.readOffset += n;
    file.lastDataNanos = now;
    accept(file, cuts);
    return true;
  }

  private void accept(TrackedFile file, List<Cut> cuts) throws InterruptedException {
    for (Cut cut : cuts) {
      if (buffer.isEmpty() && skippedCuts.isEmpty()) {
        bufferStartNanos = System.nanoTime();
      }
      if (cut.data() == null) {
        status.skipped(1);
        skippedCuts.add(cut);
        skippedFiles.add(file);
        continue;
      }
      status.parsed(1);
      byte[] data = process(cut.data());
      if (data == null) {
        status.skipped(1);
        skippedCuts.add(cut);
        skippedFiles.add(file);
        continue;
      }
      if (buffer.size() + 1 > config.maxBufferSizeRecords() || bufferBytes + data.length > config.maxBufferSizeBytes()) {
        deliver();
        bufferStartNanos = System.nanoTime();
      }
      buffer.add(new Destination.Item(file, cut.endOffset(), data));
      bufferBytes += data.length;
    }
  }

  private byte[] process(byte[] record) {
    if (config.dataProcessingOptions().isEmpty()) {
      return record;
    }
    String text = new String(record, StandardCharsets.UTF_8);
    for (DataProcessingOption option : config.dataProcessingOptions()) {
      text = option.apply(text);
      if (text == null) {
        return null;
      }
    }
    byte[] out = text.getBytes(StandardCharsets.UTF_8);
    return out.length <= config.maxRecordBytes() ? out : cut(out);
  }

  private byte[] cut(byte[] record) {
    byte[] terminator = config.truncatedRecordTerminator().getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[config.maxRecordBytes()];
    int keep = out.length - terminator.length;
    System.arraycopy(record, 0, out, 0, keep);
    System.arraycopy(terminator, 0, out, keep, terminator.length);
    return out;
  }

  /** Delivers the buffer, then checkpoints the offsets its records (and skipped lines) reached. */
  private void deliver() throws InterruptedException {
    if (buffer.isEmpty() && skippedCuts.isEmpty()) {
      return;
    }
    if (!buffer.isEmpty()) {
      if (identityUnsaved()) {
        saveCheckpoint();
      }
      destination.deliver(buffer, status);
    }
    Set<TrackedFile> touched = new HashSet<>();
    for (Destination.Item item : buffer) {
      item.file().ackedOffset = Math.max(item.file().ackedOffset, item.endOffset());
      touched.add(item.file());
    }
    for (int i = 0; i < skippedCuts.size(); i++) {
      TrackedFile file = skippedFiles.get(i);
      file.ackedOffset = Math.max(file.ackedOffset, skippedCuts.get(i).endOffset());
    }
    buffer.clear();
    skippedCuts.clear();
    skippedFiles.clear();
    bufferBytes = 0;
    saveCheckpoint();
  }

  /**
   * Whether a file in the buffer has a longer fingerprint than its checkpoint entry. Its records
   * are sent under its producer id with their offsets as sequences; were the agent killed after the
   * send, a restart must recognise the same content to send them again under the same id (then the
   * store takes them as repeats), and not mistake new content written into the file meanwhile (a
   * copy-truncate) for it.
   */
  private boolean identityUnsaved() {
    for (Destination.Item item : buffer) {
      TrackedFile f = item.file();
      if (!f.fingerprint.equals(f.savedFingerprint) && tracker.files().contains(f)) {
        return true;
      }
    }
    return false;
  }

  private void saveCheckpoint() {
    List<FileCheckpoint> files = new ArrayList<>();
    List<TrackedFile> saved = new ArrayList<>();
    for (TrackedFile f : tracker.files()) {
      if (f.channel != null) {
        files.add(f.checkpoint());
        saved.add(f);
      }
    }
    checkpoints.save(config.id(), files);
    for (int i = 0; i < saved.size(); i++) {
      saved.get(i).savedFingerprint = new Fingerprint(files.get(i).fingerprintLength(), files.get(i).fingerprint());
    }
  }

  private void updateLag() {
    long behind = 0;
    for (TrackedFile f : tracker.files()) {
      behind += Math.max(0, f.size - f.ackedOffset);
    }
    status.lag(behind, tracker.files().size());
  }
}
