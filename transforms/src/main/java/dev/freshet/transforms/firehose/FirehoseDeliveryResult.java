package dev.freshet.transforms.firehose;

import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * What {@link FirehoseDelivery} returns, like {@code WriteFilesResult}: the objects it put (data
 * and error output alike) and the records it could not deliver, as the service's error records.
 */
public final class FirehoseDeliveryResult implements POutput {
  private static final TupleTag<DeliveredObject> OBJECTS = new TupleTag<>("objects") {};
  private static final TupleTag<FirehoseErrorRecord> ERRORS = new TupleTag<>("errors") {};
  private static final TupleTag<DeliveredObject> BACKUP = new TupleTag<>("backup") {};

  private final Pipeline pipeline;
  private final PCollection<DeliveredObject> objects;
  private final PCollection<FirehoseErrorRecord> errors;
  private final PCollection<DeliveredObject> backupObjects;

  private FirehoseDeliveryResult(Pipeline pipeline, PCollection<DeliveredObject> objects,
      PCollection<FirehoseErrorRecord> errors, PCollection<DeliveredObject> backupObjects) {
    this.pipeline = pipeline;
    this.objects = objects;
    this.errors = errors;
    this.backupObjects = backupObjects;
  }

  static FirehoseDeliveryResult in(Pipeline pipeline, PCollection<DeliveredObject> objects,
      PCollection<FirehoseErrorRecord> errors, PCollection<DeliveredObject> backupObjects) {
    return new FirehoseDeliveryResult(pipeline, objects, errors, backupObjects);
  }

  /**
   * The objects of source records put to the backup destination with {@link BackupMode#ALL_DATA};
   * empty otherwise. Error objects put there are in {@link #getDeliveredObjects()}.
   */
  public PCollection<DeliveredObject> getBackupObjects() {
    return backupObjects;
  }

  /**
   * Every object put, one element per object, once it is whole at the destination; for a {@link
   * BatchDestination}, one per batch delivered, named by its id (a request id, a staged object key).
   */
  public PCollection<DeliveredObject> getDeliveredObjects() {
    return objects;
  }

  /**
   * The records that failed transformation or partitioning, or that a {@link BatchDestination}
   * did not take within its retry duration; each is also delivered under the error output prefix.
   */
  public PCollection<FirehoseErrorRecord> getErrors() {
    return errors;
  }

  @Override
  public Pipeline getPipeline() {
    return pipeline;
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return Map.of(OBJECTS, objects, ERRORS, errors, BACKUP, backupObjects);
  }

  @Override
  public void finishSpecifyingOutput(String transformName, PInput input, PTransform<?, ?> transform) {}
}
