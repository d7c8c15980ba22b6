package dev.freshet.kinesis.video;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images of a video stream at given times, decoded from its stored H.264 with JCodec (pure Java)
 * and encoded as JPEG or PNG: what GetImages answers, for programs that hold the store.
 *
 * <pre>{@code
 * List<VideoImage> images = VideoImages.images(store, "door", true,
 *     new long[] {t0, t0 + 1000, t0 + 2000}, VideoImages.Format.JPEG, 80, 320, null);
 * }</pre>
 *
 * <p>Each time goes to the fragment covering it (the last one starting at or before it whose media
 * reaches past it, by producer or server timestamp) and there to the last frame at or before it;
 * each fragment is decoded once, from its key frame to the last frame asked for. A time no
 * fragment covers is {@code NO_MEDIA}; a fragment that cannot be decoded (not H.264 with codec
 * private data, broken frames) gives {@code MEDIA_ERROR}.
 */
public final class VideoImages {
  private static final Logger LOG = LoggerFactory.getLogger(VideoImages.class);
  static final String NO_MEDIA = "NO_MEDIA";
  static final String MEDIA_ERROR = "MEDIA_ERROR";

  /** The image encodings. */
  public enum Format {
    JPEG,
    PNG
  }

  private VideoImages() {}

  /**
   * The images of {@code streamName} at {@code times} (milliseconds since the epoch, producer
   * timestamps if {@code producerTimestamps}, else server timestamps), in that order, scaled to
   * {@code width}×{@code height} (either null keeps the aspect ratio; both null keep the picture's
   * size).
   *
   * @throws VideoException if the stream does not exist
   */
  public static List<VideoImage> images(VideoFragmentStore store, String streamName, boolean producerTimestamps,
      long[] times, Format format, int jpegQuality, @Nullable Integer width, @Nullable Integer height) {
    checkNotNull(store, "store");
    checkNotNull(format, "format");
    checkArgument(jpegQuality >= 1 && jpegQuality <= 100, "jpegQuality must be 1 to 100, but was: %s", jpegQuality);
    checkArgument(width == null || width > 0, "width must be positive, but was: %s", width);
    checkArgument(height == null || height > 0, "height must be positive, but was: %s", height);
    boolean producer = producerTimestamps;
    // Each sample time goes to the fragment covering it, and in it to the last frame at or before it.
    List<FragmentInfo> fragments = new ArrayList<>(store.listFragments(streamName));
    Comparator<FragmentInfo> byTime = Comparator.comparingLong(f -> at(f, producer));
    fragments.sort(byTime);
    FragmentInfo[] covering = new FragmentInfo[times.length];
    for (int i = 0; i < times.length; i++) {
      covering[i] = covering(fragments, times[i], producer);
    }
    Map<String, H264Track> tracks = new HashMap<>();
    Map<String, Map<Integer, BufferedImage>> decoded = new HashMap<>();
    Map<String, String> failed = new HashMap<>();
    Map<String, TreeSet<Integer>> wanted = new HashMap<>();
    int[] frameOf = new int[times.length];
    for (int i = 0; i < times.length; i++) {
      FragmentInfo fragment = covering[i];
      frameOf[i] = -1;
      if (fragment == null || failed.containsKey(fragment.fragmentNumber())) {
        continue;
      }
      H264Track track = tracks.get(fragment.fragmentNumber());
      if (track == null) {
        try {
          track = H264Track.of(store.readFragment(streamName, fragment.fragmentNumber()));
        } catch (MkvException e) {
          failed.put(fragment.fragmentNumber(), e.getMessage());
          continue;
        } catch (VideoException expired) {
          continue; // retention took it meanwhile: no media
        }
        tracks.put(fragment.fragmentNumber(), track);
      }
      long offset = times[i] - at(fragment, producer);
      int frame = -1;
      for (int s = 0; s < track.samples().size(); s++) {
        long sampleOffset = track.samples().get(s).offsetMillis();
        if (sampleOffset <= offset && (frame < 0 || sampleOffset >= track.samples().get(frame).offsetMillis())) {
          frame = s;
        }
      }
      frameOf[i] = frame;
      if (frame >= 0) {
        wanted.computeIfAbsent(fragment.fragmentNumber(), k -> new TreeSet<>()).add(frame);
      }
    }
    for (Map.Entry<String, TreeSet<Integer>> entry : wanted.entrySet()) {
      try {
        decoded.put(entry.getKey(), FrameImages.decode(tracks.get(entry.getKey()), entry.getValue()));
      } catch (MkvException e) {
        failed.put(entry.getKey(), e.getMessage());
      }
    }

    List<VideoImage> images = new ArrayList<>(times.length);
    for (int i = 0; i < times.length; i++) {
      FragmentInfo fragment = covering[i];
      if (fragment != null && failed.containsKey(fragment.fragmentNumber())) {
        LOG.debug("images of {}: fragment {} undecodable: {}", streamName, fragment.fragmentNumber(),
            failed.get(fragment.fragmentNumber()));
        images.add(VideoImage.of(times[i], null, MEDIA_ERROR));
        continue;
      }
      BufferedImage picture = fragment == null || frameOf[i] < 0 || !decoded.containsKey(fragment.fragmentNumber())
          ? null : decoded.get(fragment.fragmentNumber()).get(frameOf[i]);
      if (picture == null) {
        images.add(VideoImage.of(times[i], null, NO_MEDIA));
        continue;
      }
      int[] size = size(picture.getWidth(), picture.getHeight(), width, height);
      images.add(VideoImage.of(times[i], FrameImages.encode(FrameImages.scale(picture, size[0], size[1]),
          format == Format.PNG, jpegQuality), null));
    }
    return images;
  }

  /** The requested size; with only one side given, the other keeps the picture's aspect ratio. */
  static int[] size(int pictureWidth, int pictureHeight, @Nullable Integer width, @Nullable Integer height) {
    if (width == null && height == null) {
      return new int[] {pictureWidth, pictureHeight};
    }
    if (width == null) {
      return new int[] {Math.max(1, (int) Math.round((double) height * pictureWidth / pictureHeight)), height};
    }
    if (height == null) {
      return new int[] {width, Math.max(1, (int) Math.round((double) width * pictureHeight / pictureWidth))};
    }
    return new int[] {width, height};
  }

  static long at(FragmentInfo fragment, boolean producer) {
    return producer ? fragment.producerTimestampMillis() : fragment.serverTimestampMillis();
  }

  /** The last fragment starting at or before {@code time} whose media reaches past it, or null. */
  static @Nullable FragmentInfo covering(List<FragmentInfo> sorted, long time, boolean producer) {
    FragmentInfo found = null;
    for (FragmentInfo fragment : sorted) {
      if (at(fragment, producer) > time) {
        break;
      }
      if (time < at(fragment, producer) + Math.max(1, fragment.durationMillis())) {
        found = fragment;
      }
    }
    return found;
  }
}
