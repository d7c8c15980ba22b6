package dev.freshet.sdk.io;

import dev.freshet.sdk.stream.ShardIteratorType;
import dev.freshet.sdk.stream.StartingPosition;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * The stable, versioned encoding of {@link StreamCheckpointMark}: a runner keeps marks in its
 * state across upgrades, so the layout is explicit (version byte, then per shard its id, whether it
 * started, the last sequence and sub-sequence numbers or the starting position, and its watermark)
 * rather than Java serialization.
 */
public final class StreamCheckpointMarkCoder extends AtomicCoder<StreamCheckpointMark> {
  private static final long serialVersionUID = 1L;
  private static final int VERSION = 1;
  private static final StreamCheckpointMarkCoder INSTANCE = new StreamCheckpointMarkCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final VarLongCoder LONG = VarLongCoder.of();
  private static final VarIntCoder INT = VarIntCoder.of();

  public static StreamCheckpointMarkCoder of() {
    return INSTANCE;
  }

  private StreamCheckpointMarkCoder() {}

  @Override
  public void encode(StreamCheckpointMark mark, OutputStream out) throws IOException {
    out.write(VERSION);
    INT.encode(mark.shards().size(), out);
    for (ShardCheckpoint shard : mark.shards()) {
      STRING.encode(shard.shardId(), out);
      LONG.encode(shard.watermarkMillis(), out);
      if (shard.started()) {
        out.write(1);
        STRING.encode(shard.sequenceNumber(), out);
        LONG.encode(shard.subSequenceNumber(), out);
      } else {
        out.write(0);
        StartingPosition position = shard.startingPosition();
        out.write(position.type().ordinal());
        switch (position.type()) {
          case AT_SEQUENCE_NUMBER:
          case AFTER_SEQUENCE_NUMBER:
            STRING.encode(position.sequenceNumber(), out);
            break;
          case AT_TIMESTAMP:
            LONG.encode(position.timestamp().toEpochMilli(), out);
            break;
          default:
            break;
        }
      }
    }
  }

  @Override
  public StreamCheckpointMark decode(InputStream in) throws IOException {
    int version = in.read();
    if (version != VERSION) {
      throw new CoderException("StreamCheckpointMark encoded with version " + version
          + "; this coder reads version " + VERSION);
    }
    int count = INT.decode(in);
    if (count < 0) {
      throw new CoderException("StreamCheckpointMark with a negative shard count: " + count);
    }
    List<ShardCheckpoint> shards = new ArrayList<>(Math.min(count, 10_000));
    for (int i = 0; i < count; i++) {
      String shardId = STRING.decode(in);
      long watermark = LONG.decode(in);
      int started = in.read();
      if (started == 1) {
        shards.add(ShardCheckpoint.after(shardId, STRING.decode(in), LONG.decode(in), watermark));
      } else if (started == 0) {
        int type = in.read();
        if (type < 0 || type >= ShardIteratorType.values().length) {
          throw new CoderException("StreamCheckpointMark with an unknown position type " + type);
        }
        ShardIteratorType iteratorType = ShardIteratorType.values()[type];
        StartingPosition position;
        switch (iteratorType) {
          case AT_SEQUENCE_NUMBER:
          case AFTER_SEQUENCE_NUMBER:
            position = StartingPosition.of(iteratorType, STRING.decode(in), null);
            break;
          case AT_TIMESTAMP:
            position = StartingPosition.atTimestamp(Instant.ofEpochMilli(LONG.decode(in)));
            break;
          default:
            position = StartingPosition.of(iteratorType, null, null);
            break;
        }
        shards.add(ShardCheckpoint.notStarted(shardId, position, watermark));
      } else {
        throw new CoderException("StreamCheckpointMark truncated or corrupt at shard " + i);
      }
    }
    return new StreamCheckpointMark(shards);
  }
}
