package dev.freshet.transforms.firehose;

import java.util.List;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviderRegistrar;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Registers the coders of {@link FirehoseRecord}, {@link FirehoseErrorRecord} and {@link
 * DeliveredObject} for those types and their generated AutoValue classes, which is what {@code
 * Create.of(records)} sees (a {@code @DefaultCoder} on the abstract class is not inherited). Found
 * by Beam through {@link java.util.ServiceLoader}.
 */
public final class FirehoseCoders implements CoderProviderRegistrar {
  @Override
  public List<CoderProvider> getCoderProviders() {
    return List.of(new CoderProvider() {
      @Override
      @SuppressWarnings("unchecked")
      public <T> Coder<T> coderFor(TypeDescriptor<T> type, List<? extends Coder<?>> componentCoders)
          throws CannotProvideCoderException {
        Class<?> raw = type.getRawType();
        if (FirehoseRecord.class.isAssignableFrom(raw)) {
          return (Coder<T>) FirehoseRecordCoder.of();
        }
        if (FirehoseErrorRecord.class.isAssignableFrom(raw)) {
          return (Coder<T>) new DeliveryCoders.ErrorRecordCoder();
        }
        if (DeliveredObject.class.isAssignableFrom(raw)) {
          return (Coder<T>) new DeliveryCoders.DeliveredObjectCoder();
        }
        throw new CannotProvideCoderException(type + " is not a type of Firehose delivery");
      }
    });
  }
}
