package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** One page of streams in name order, and the token for the next page if there is one. */
@AutoValue
public abstract class ListStreamsResult {
  public static ListStreamsResult of(List<StreamSummary> streams, @Nullable String nextToken) {
    return new AutoValue_ListStreamsResult(List.copyOf(streams), nextToken);
  }

  public abstract List<StreamSummary> streams();

  /** Pass to the next call to continue; null on the last page. */
  public abstract @Nullable String nextToken();

  public boolean hasMoreStreams() {
    return nextToken() != null;
  }

  public List<String> streamNames() {
    return streams().stream().map(StreamSummary::streamName).collect(Collectors.toList());
  }
}
