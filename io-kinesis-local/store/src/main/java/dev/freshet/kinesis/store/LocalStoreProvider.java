package dev.freshet.kinesis.store;

import dev.freshet.kinesis.log.Durability;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClientProvider;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Opens the embedded store for {@code file:} endpoints: {@code file:///path/to/data}, with
 * optional settings as query parameters, {@code ?durability=fsync|os&throttling=aws|off}. Unknown
 * parameters are refused by name, so a typo never silently changes durability.
 */
public final class LocalStoreProvider implements StreamClientProvider {
  @Override
  public boolean supports(URI endpoint) {
    return "file".equalsIgnoreCase(endpoint.getScheme());
  }

  @Override
  public StreamClient open(URI endpoint) {
    return LocalStreamStore.open(configOf(endpoint));
  }

  /** The store configuration a {@code file:} endpoint names. */
  public static StoreConfig configOf(URI endpoint) {
    if (!"file".equalsIgnoreCase(endpoint.getScheme()) || endpoint.getPath() == null) {
      throw new IllegalArgumentException("not a file: endpoint with a path: " + endpoint);
    }
    StoreConfig.Builder builder = StoreConfig.builder(Path.of(endpoint.getPath()));
    String query = endpoint.getQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        String[] parts = pair.split("=", 2);
        String name = parts[0];
        String value = parts.length == 2 ? parts[1].toLowerCase(Locale.ROOT) : "";
        switch (name) {
          case "durability":
            builder.setDurability(parse(Durability.class, name, value, endpoint));
            break;
          case "throttling":
            builder.setThrottling(parse(ThrottlingMode.class, name, value, endpoint));
            break;
          default:
            throw new IllegalArgumentException("unknown setting '" + name + "' in endpoint " + endpoint
                + "; known: durability=fsync|os, throttling=aws|off");
        }
      }
    }
    return builder.build();
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String name, String value, URI endpoint) {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + " must be one of "
          + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT)
          + ", but was '" + value + "' in endpoint " + endpoint);
    }
  }
}
