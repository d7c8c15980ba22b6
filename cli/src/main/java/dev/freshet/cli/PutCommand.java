package dev.freshet.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StreamClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code freshet put}: one record per line of a file or stdin, in PutRecords batches.
 *
 * <p>Input is checked line by line before it is sent; on a bad line the records of the lines
 * before it are written and nothing from that line on.
 */
@Command(
    name = "put",
    description = {
      "Write one record per line of a file or stdin (empty lines are skipped).",
      "Lines go out in batches of up to 500 records / 5 MiB; failed entries are retried with back-off."
    },
    mixinStandardHelpOptions = true)
final class PutCommand implements Callable<Integer> {
  private static final int MAX_KEY_LENGTH = 256;
  private static final int MAX_DATA_BYTES = 1024 * 1024;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "STREAM", description = "Stream name or ARN.")
  String stream;

  @Option(names = "--file", paramLabel = "FILE", description = "Read lines from FILE instead of stdin.")
  Path file;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Key key;

  static final class Key {
    @Option(names = "--partition-key", paramLabel = "KEY", required = true, description = "The partition key of every record.")
    String partitionKey;

    @Option(names = "--key-field", paramLabel = "FIELD", required = true,
        description = "Each line is a JSON object; its top-level FIELD is the record's partition key.")
    String keyField;
  }

  private final ObjectMapper json = new ObjectMapper();

  @Override
  public Integer call() throws IOException {
    if (key.partitionKey != null) {
      checkKey(key.partitionKey, "--partition-key");
    }
    long started = System.nanoTime();
    BatchWriter writer;
    try (StreamClient client = Freshet.root(spec).openStore();
        BufferedReader lines = open()) {
      writer = new BatchWriter(client, stream);
      String line;
      long number = 0;
      while ((line = readLine(lines)) != null) {
        number++;
        if (line.isEmpty()) {
          continue;
        }
        PutRecordsEntry entry;
        try {
          entry = entry(line, number);
        } catch (CliException e) {
          writer.flush();
          throw new CliException(e.getMessage() + " (" + writer.records() + " records before it were written)", e);
        }
        writer.add(entry);
      }
      writer.flush();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    spec.commandLine().getOut().printf("put %s records (%s) to %d shard%s of %s in %.2f s (%s records/s)%s%n",
        Figures.count(writer.records()), Figures.bytes(writer.bytes()), writer.shards().size(),
        writer.shards().size() == 1 ? "" : "s", stream, seconds,
        Figures.perSecond(writer.records(), seconds),
        writer.retries() == 0 ? "" : ", " + Figures.count(writer.retries()) + " retried");
    return 0;
  }

  private PutRecordsEntry entry(String line, long number) {
    byte[] data = line.getBytes(StandardCharsets.UTF_8);
    if (data.length > MAX_DATA_BYTES) {
      throw new CliException(String.format("line %d: a record holds at most 1 MiB, but this line is %d bytes", number, data.length));
    }
    String partitionKey = key.partitionKey != null ? key.partitionKey : keyOf(line, number);
    return PutRecordsEntry.of(partitionKey, data);
  }

  private String keyOf(String line, long number) {
    JsonNode node;
    try {
      node = json.readTree(line);
    } catch (JsonProcessingException e) {
      throw new CliException(String.format("line %d: not JSON (%s)", number, e.getOriginalMessage()));
    }
    if (node == null || !node.isObject()) {
      throw new CliException(String.format("line %d: not a JSON object, so it has no field \"%s\"", number, key.keyField));
    }
    JsonNode field = node.get(key.keyField);
    if (field == null || field.isNull()) {
      throw new CliException(String.format("line %d: no field \"%s\"", number, key.keyField));
    }
    if (!field.isValueNode()) {
      throw new CliException(String.format("line %d: field \"%s\" is a JSON %s, not a string or number",
          number, key.keyField, field.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
    }
    String partitionKey = field.asText();
    checkKey(partitionKey, String.format("line %d: field \"%s\"", number, key.keyField));
    return partitionKey;
  }

  private static void checkKey(String partitionKey, String where) {
    int length = partitionKey.codePointCount(0, partitionKey.length());
    if (length < 1 || length > MAX_KEY_LENGTH) {
      throw new CliException(String.format("%s: a partition key has 1 to %d characters, but this one has %d",
          where, MAX_KEY_LENGTH, length));
    }
  }

  private BufferedReader open() throws IOException {
    InputStream in;
    if (file == null) {
      in = System.in;
    } else {
      try {
        in = Files.newInputStream(file);
      } catch (NoSuchFileException e) {
        throw new CliException("no such file: " + file);
      } catch (IOException e) {
        throw new CliException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  private String readLine(BufferedReader reader) {
    try {
      return reader.readLine();
    } catch (IOException e) {
      throw new CliException("cannot read " + (file == null ? "stdin" : file) + ": " + e.getMessage(), e);
    }
  }
}
