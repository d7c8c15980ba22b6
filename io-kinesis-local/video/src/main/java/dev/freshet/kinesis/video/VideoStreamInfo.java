package dev.freshet.kinesis.video;

import com.google.auto.value.AutoValue;
import org.jspecify.annotations.Nullable;

/** A video stream's description (DescribeStream's StreamInfo). */
@AutoValue
public abstract class VideoStreamInfo {
  static VideoStreamInfo of(String streamName, String streamArn, @Nullable String deviceName,
      @Nullable String mediaType, @Nullable String kmsKeyId, String version, long creationTimeMillis,
      int dataRetentionInHours) {
    return new AutoValue_VideoStreamInfo(streamName, streamArn, deviceName, mediaType, kmsKeyId, version,
        creationTimeMillis, dataRetentionInHours);
  }

  public abstract String streamName();

  public abstract String streamArn();

  public abstract @Nullable String deviceName();

  public abstract @Nullable String mediaType();

  public abstract @Nullable String kmsKeyId();

  /** Changes with every update; UpdateDataRetention and DeleteStream may require the current one. */
  public abstract String version();

  public abstract long creationTimeMillis();

  /** Hours fragments are kept; 0 keeps them until the stream is deleted (see docs/video.md). */
  public abstract int dataRetentionInHours();

  /** Always {@code ACTIVE}: streams are ready as soon as CreateStream returns. */
  public String status() {
    return "ACTIVE";
  }
}
