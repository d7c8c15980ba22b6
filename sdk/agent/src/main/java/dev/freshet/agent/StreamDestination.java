package dev.freshet.agent;

import com.google.common.hash.Hashing;
import dev.freshet.sdk.producer.ProducerConfig;
import dev.freshet.sdk.producer.StreamProducer;
import dev.freshet.sdk.stream.PutRecordResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StreamClient;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a flow's records to a Freshet stream through a {@link StreamProducer}, each as an
 * idempotent write: the producer is the record's file (its producer id from the checkpoint) and the
 * sequence the offset right after the record. A record sent again after a restart from an older
 * checkpoint is therefore stored once. The partition key is derived from the same pair (RANDOM) or
 * from the data (DETERMINISTIC), so a repeat reaches the same shard.
 */
final class StreamDestination implements Destination {
  private static final Logger LOG = LoggerFactory.getLogger(StreamDestination.class);

  private final FlowConfig flow;
  private final StreamProducer producer;

  StreamDestination(FlowConfig flow, StreamClient client) {
    this.flow = flow;
    this.producer = StreamProducer.builder(client)
        .config(ProducerConfig.builder()
            .setLingerTime(Duration.ZERO)
            .setMaxBatchBytes(Math.min(ProducerConfig.MAX_BATCH_BYTES, flow.maxBufferSizeBytes() + 256L * 500))
            .setMaxBatchRecords(flow.maxBufferSizeRecords())
            .setMaxAttempts(3)
            .setInitialBackoff(Duration.ofMillis(flow.retryInitialBackoffMillis()))
            .setMaxBackoff(Duration.ofMillis(flow.retryMaxBackoffMillis()))
            .build())
        .build();
  }

  @Override
  public void deliver(List<Item> items, FlowStatus status) throws InterruptedException {
    List<Item> pending = items;
    Backoff backoff = new Backoff(flow);
    while (!pending.isEmpty()) {
      List<CompletableFuture<PutRecordResult>> futures = new ArrayList<>(pending.size());
      for (Item item : pending) {
        futures.add(producer.send(flow.destination(), entry(item)));
      }
      List<Item> failed = new ArrayList<>();
      Throwable firstError = null;
      for (int i = 0; i < futures.size(); i++) {
        try {
          futures.get(i).get();
        } catch (ExecutionException e) {
          failed.add(pending.get(i));
          firstError = firstError == null ? e.getCause() : firstError;
        }
      }
      status.sent(pending.size() - failed.size());
      if (!failed.isEmpty()) {
        status.failed(failed.size());
        LOG.warn("Flow {}: {} of {} records were not written ({}); sending them again", flow.id(), failed.size(),
            pending.size(), firstError.toString());
        backoff.pause();
      }
      pending = failed;
    }
  }

  private PutRecordsEntry entry(Item item) {
    String key = flow.partitionKeyOption() == FlowConfig.PartitionKeyOption.DETERMINISTIC
        ? Hashing.md5().hashBytes(item.data()).toString()
        : Hashing.murmur3_128().hashString(item.file().producerId + ":" + item.endOffset(), StandardCharsets.UTF_8)
            .toString();
    return PutRecordsEntry.of(key, item.data()).withProducer(item.file().producerId, BigInteger.valueOf(item.endOffset()));
  }

  @Override
  public void close() {
    producer.close();
  }
}
