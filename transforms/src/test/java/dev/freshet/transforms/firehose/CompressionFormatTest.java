package dev.freshet.transforms.firehose;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CompressionFormatTest {
  @ParameterizedTest
  @EnumSource(CompressionFormat.class)
  void independentReadersGetBackWhatWasWritten(CompressionFormat format) throws Exception {
    byte[] data = new byte[300_000];
    new Random(7).nextBytes(data);
    byte[] text = "hello firehose\n".repeat(20_000).getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    String name = "2024/01/01/00/s-1-2024-01-01-00-00-00-u" + format.extension();
    try (OutputStream out = format.wrap(sink, name)) {
      out.write(data);
      out.write(text);
    }
    byte[] back = Objects.decompress(name, sink.toByteArray());
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(data);
    expected.write(text);
    assertThat(back).isEqualTo(expected.toByteArray());
    if (format != CompressionFormat.UNCOMPRESSED) {
      assertThat(sink.size()).isLessThan(expected.size());
    }
  }

  @ParameterizedTest
  @EnumSource(CompressionFormat.class)
  void usesTheServicesExtensions(CompressionFormat format) {
    assertThat(format.extension()).isEqualTo(switch (format) {
      case UNCOMPRESSED -> "";
      case GZIP -> ".gz";
      case ZIP -> ".zip";
      case SNAPPY -> ".snappy";
      case HADOOP_SNAPPY -> ".hsnappy";
    });
  }
}
