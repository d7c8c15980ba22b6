package dev.freshet.kinesis.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;

/**
 * The body of a streamed request (see {@link ServiceExtension#streamsRequestBody}) as an {@link
 * InputStream}: the network thread {@linkplain #offer offers} chunks, the extension's thread reads
 * them. Back-pressure: above {@link #HIGH_WATER} bytes waiting, the channel stops reading from the
 * socket (so TCP or HTTP/2 flow control slows the client), and resumes below {@link #LOW_WATER}.
 */
final class RequestBodyStream extends InputStream {
  static final int HIGH_WATER = 1 << 20;
  static final int LOW_WATER = 256 << 10;

  private final Channel channel;
  private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>();
  // All guarded by this.
  private long queuedBytes;
  private boolean ended;
  private boolean discarding;
  private String failure;

  RequestBodyStream(Channel channel) {
    this.channel = channel;
  }

  /** Takes ownership of {@code chunk}; called on the network thread. */
  void offer(ByteBuf chunk, boolean last) {
    boolean pause;
    synchronized (this) {
      if (discarding || failure != null) {
        chunk.release();
      } else if (chunk.isReadable()) {
        chunks.add(chunk);
        queuedBytes += chunk.readableBytes();
      } else {
        chunk.release();
      }
      if (last) {
        ended = true;
      }
      pause = !discarding && queuedBytes > HIGH_WATER;
      notifyAll();
    }
    if (pause) {
      channel.config().setAutoRead(false);
    }
  }

  /** The connection closed before the body ended; called on the network thread. */
  void abort(String reason) {
    synchronized (this) {
      if (!ended && failure == null) {
        failure = reason;
      }
      notifyAll();
    }
  }

  synchronized boolean ended() {
    return ended;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] target, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    boolean resume;
    int n;
    synchronized (this) {
      while (chunks.isEmpty()) {
        if (discarding) {
          throw new IOException("The request body was closed");
        }
        if (failure != null) {
          throw new IOException(failure);
        }
        if (ended) {
          return -1;
        }
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for the request body");
        }
      }
      ByteBuf head = chunks.peek();
      n = Math.min(length, head.readableBytes());
      head.readBytes(target, offset, n);
      if (!head.isReadable()) {
        chunks.poll().release();
      }
      long before = queuedBytes;
      queuedBytes -= n;
      resume = before > LOW_WATER && queuedBytes <= LOW_WATER;
    }
    if (resume && !channel.config().isAutoRead()) {
      channel.config().setAutoRead(true);
      channel.read();
    }
    return n;
  }

  @Override
  public synchronized int available() {
    return (int) Math.min(Integer.MAX_VALUE, queuedBytes);
  }

  /** Drops what was not read, and whatever of the body is still to come. */
  @Override
  public void close() {
    synchronized (this) {
      if (discarding) {
        return;
      }
      discarding = true;
      for (ByteBuf chunk : chunks) {
        chunk.release();
      }
      chunks.clear();
      queuedBytes = 0;
      notifyAll();
    }
    if (!channel.config().isAutoRead()) {
      channel.config().setAutoRead(true);
      channel.read();
    }
  }
}
