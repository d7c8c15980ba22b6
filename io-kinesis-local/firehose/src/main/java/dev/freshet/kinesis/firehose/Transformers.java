package dev.freshet.kinesis.firehose;

import dev.freshet.transforms.firehose.RecordTransformer;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The Java record transformers that stand in for Lambda functions: every {@link RecordTransformer}
 * registered with {@link ServiceLoader} ({@code META-INF/services/dev.freshet.transforms.firehose.RecordTransformer}
 * on the server's classpath). A processor's {@code LambdaArn} {@code
 * arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]} names the transformer whose class has the
 * simple or full name NAME, or whose {@link RecordTransformer#functionArn()} ends in {@code
 * :function:NAME}.
 */
final class Transformers {
  private final ClassLoader loader;

  Transformers(ClassLoader loader) {
    this.loader = loader;
  }

  /** The transformer a Lambda ARN names; an InvalidArgumentException listing the known names if none. */
  RecordTransformer lookup(String lambdaArn) {
    int function = lambdaArn.indexOf(":function:");
    if (!lambdaArn.startsWith("arn:") || function < 0) {
      throw FirehoseException.invalid("LambdaArn must be arn:aws:lambda:REGION:ACCOUNT:function:NAME, but was: %s",
          lambdaArn);
    }
    String name = lambdaArn.substring(function + ":function:".length());
    if (name.contains(":")) {
      name = name.substring(0, name.indexOf(':'));
    }
    List<String> known = new ArrayList<>();
    for (RecordTransformer transformer : ServiceLoader.load(RecordTransformer.class, loader)) {
      Class<?> type = transformer.getClass();
      if (type.getSimpleName().equals(name) || type.getName().equals(name)
          || transformer.functionArn().endsWith(":function:" + name)) {
        return transformer;
      }
      known.add(type.getSimpleName());
    }
    throw FirehoseException.invalid("LambdaArn %s names function %s, but no record transformer of that name is "
        + "registered (known: %s); register a dev.freshet.transforms.firehose.RecordTransformer with ServiceLoader",
        lambdaArn, name, known);
  }
}
