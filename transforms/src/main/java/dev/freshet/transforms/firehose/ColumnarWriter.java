package dev.freshet.transforms.firehose;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.orc.CompressionKind;
import org.apache.orc.OrcFile;
import org.apache.orc.TypeDescription;
import org.apache.orc.Writer;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.hadoop.hive.ql.exec.vector.VectorizedRowBatch;

/**
 * Writes one buffer of JSON records as one Parquet or ORC file. Parquet streams straight into the
 * object; ORC's writer needs a file system, so it writes a temporary local file (through Hadoop's
 * raw local file system, without checksum files), which is then copied into the object.
 */
final class ColumnarWriter {
  private static final int ORC_BATCH = 1024;

  private final DataFormatConversion conversion;
  private final Schema schema;
  private final JsonRecords reader;

  ColumnarWriter(DataFormatConversion conversion) {
    this.conversion = conversion;
    this.schema = conversion.schema();
    this.reader = new JsonRecords(schema);
  }

  /** Reads one record, as conversion will; throws what makes it an error record. */
  GenericRecord read(byte[] json) throws JsonRecords.ConversionException {
    return reader.read(json);
  }

  /** Writes {@code records} (each checked by {@link #read} before it was buffered) to {@code out}, and closes it. */
  void write(Iterable<FirehoseRecord> records, OutputStream out) throws IOException {
    switch (conversion.format()) {
      case PARQUET -> writeParquet(records, out);
      case ORC -> writeOrc(records, out);
      default -> throw new AssertionError(conversion.format());
    }
  }

  private GenericRecord convert(FirehoseRecord record) throws IOException {
    try {
      return reader.read(record.data());
    } catch (JsonRecords.ConversionException e) {
      // Every buffered record passed read() already; the same bytes cannot fail now.
      throw new IOException("a buffered record no longer converts: " + e.getMessage(), e);
    }
  }

  private void writeParquet(Iterable<FirehoseRecord> records, OutputStream out) throws IOException {
    CompressionCodecName codec = switch (conversion.compression()) {
      case UNCOMPRESSED -> CompressionCodecName.UNCOMPRESSED;
      case SNAPPY -> CompressionCodecName.SNAPPY;
      case GZIP -> CompressionCodecName.GZIP;
      default -> throw new AssertionError(conversion.compression());
    };
    try (ParquetWriter<GenericRecord> writer = AvroParquetWriter.<GenericRecord>builder(new StreamOutputFile(out))
        .withConf(new PlainParquetConfiguration())
        .withSchema(schema)
        .withCompressionCodec(codec)
        .build()) {
      for (FirehoseRecord record : records) {
        writer.write(convert(record));
      }
    }
  }

  private void writeOrc(Iterable<FirehoseRecord> records, OutputStream out) throws IOException {
    CompressionKind kind = switch (conversion.compression()) {
      case UNCOMPRESSED -> CompressionKind.NONE;
      case SNAPPY -> CompressionKind.SNAPPY;
      case ZLIB -> CompressionKind.ZLIB;
      default -> throw new AssertionError(conversion.compression());
    };
    TypeDescription type = OrcColumns.typeOf(schema);
    Configuration conf = new Configuration(false);
    java.nio.file.Path temp = Files.createTempFile("freshet-firehose-", ".orc");
    try (RawLocalFileSystem fs = new RawLocalFileSystem()) {
      fs.initialize(java.net.URI.create("file:///"), conf);
      try (Writer writer = OrcFile.createWriter(new org.apache.hadoop.fs.Path(temp.toUri()),
          OrcFile.writerOptions(conf).setSchema(type).compress(kind).fileSystem(fs).overwrite(true))) {
        VectorizedRowBatch batch = type.createRowBatch(ORC_BATCH);
        for (FirehoseRecord record : records) {
          OrcColumns.setRow(batch, batch.size++, convert(record));
          if (batch.size == batch.getMaxSize()) {
            writer.addRowBatch(batch);
            batch.reset();
          }
        }
        if (batch.size > 0) {
          writer.addRowBatch(batch);
        }
      }
      try (OutputStream target = out) {
        Files.copy(temp, target);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Parquet's output file over the object's stream. */
  private static final class StreamOutputFile implements OutputFile {
    private final OutputStream out;

    StreamOutputFile(OutputStream out) {
      this.out = out;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
      return new PositionOutputStream() {
        private long position;

        @Override
        public long getPos() {
          return position;
        }

        @Override
        public void write(int b) throws IOException {
          out.write(b);
          position++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
          position += len;
        }

        @Override
        public void flush() throws IOException {
          out.flush();
        }

        @Override
        public void close() throws IOException {
          out.close();
        }
      };
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
      return create(blockSizeHint);
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }

    @Override
    public String getPath() {
      return "firehose-object";
    }
  }
}
