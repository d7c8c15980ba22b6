package dev.freshet.transforms.firehose;

import java.util.List;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviderRegistrar;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Registers {@link FirehoseRecordCoder} for every {@link FirehoseRecord}, including the generated
 * AutoValue class that {@code Create.of(records)} sees (a {@code @DefaultCoder} on the abstract
 * class is not inherited by it). Found by Beam through {@link java.util.ServiceLoader}.
 */
public final class FirehoseCoders implements CoderProviderRegistrar {
  @Override
  public List<CoderProvider> getCoderProviders() {
    return List.of(new CoderProvider() {
      @Override
      @SuppressWarnings("unchecked")
      public <T> Coder<T> coderFor(TypeDescriptor<T> type, List<? extends Coder<?>> componentCoders)
          throws CannotProvideCoderException {
        if (FirehoseRecord.class.isAssignableFrom(type.getRawType())) {
          return (Coder<T>) FirehoseRecordCoder.of();
        }
        throw new CannotProvideCoderException(type + " is not a FirehoseRecord");
      }
    });
  }
}
