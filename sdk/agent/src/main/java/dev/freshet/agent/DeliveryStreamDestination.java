package dev.freshet.agent;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchRequest;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponseEntry;
import software.amazon.awssdk.services.firehose.model.Record;

/**
 * Sends a flow's records to a delivery stream with PutRecordBatch through the AWS SDK's Firehose
 * client, sending again only the entries that failed (and the whole batch when the call failed).
 * At least once: Firehose has no idempotent writes, so a restart from an older checkpoint sends
 * the records after it again.
 */
final class DeliveryStreamDestination implements Destination {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryStreamDestination.class);

  private final FlowConfig flow;
  private final FirehoseClient client;

  DeliveryStreamDestination(FlowConfig flow, FirehoseClient client) {
    this.flow = flow;
    this.client = client;
  }

  @Override
  public void deliver(List<Item> items, FlowStatus status) throws InterruptedException {
    List<Item> pending = items;
    Backoff backoff = new Backoff(flow);
    while (!pending.isEmpty()) {
      List<Record> records = new ArrayList<>(pending.size());
      for (Item item : pending) {
        records.add(Record.builder().data(SdkBytes.fromByteArrayUnsafe(item.data())).build());
      }
      List<Item> failed = new ArrayList<>();
      String why;
      try {
        PutRecordBatchResponse response = client.putRecordBatch(PutRecordBatchRequest.builder()
            .deliveryStreamName(flow.destination())
            .records(records)
            .build());
        List<PutRecordBatchResponseEntry> answers = response.requestResponses();
        why = null;
        for (int i = 0; i < pending.size(); i++) {
          PutRecordBatchResponseEntry answer = i < answers.size() ? answers.get(i) : null;
          if (answer == null || answer.errorCode() != null) {
            failed.add(pending.get(i));
            if (why == null) {
              why = answer == null ? "no answer for the entry" : answer.errorCode() + ": " + answer.errorMessage();
            }
          }
        }
      } catch (SdkException e) {
        failed = pending;
        why = e.getMessage();
      }
      status.sent(pending.size() - failed.size());
      if (!failed.isEmpty()) {
        status.failed(failed.size());
        LOG.warn("Flow {}: {} of {} records were not accepted by delivery stream {} ({}); sending them again",
            flow.id(), failed.size(), pending.size(), flow.destination(), why);
        backoff.pause();
      }
      pending = failed;
    }
  }

  @Override
  public void close() {
    // The client is the agent's, shared by its delivery-stream flows.
  }
}
