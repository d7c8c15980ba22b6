package dev.freshet.cli;

import dev.freshet.kinesis.log.Durability;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.kinesis.store.ThrottlingMode;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.errors.StreamException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code freshet} command. Every subcommand works on the embedded store in {@code --data-dir};
 * the store options are accepted before or after the subcommand.
 *
 * <p>Exit codes: 0 on success, 1 when an operation fails (a {@link StreamException} is printed as
 * {@code error: <ErrorCode>: <message>}, bad input as {@code error: <what was wrong>}), 2 for a
 * usage error. {@code freshet server} exits 0 when stopped by SIGTERM or SIGINT after a clean
 * shutdown.
 */
@Command(
    name = "freshet",
    mixinStandardHelpOptions = true,
    versionProvider = FreshetVersion.class,
    description = "Amazon Kinesis Data Streams, locally: an embedded, durable stream store.",
    subcommands = {
      StreamsCommand.class,
      PutCommand.class,
      TailCommand.class,
      AgentCommand.class,
      DemoCommand.class,
      FlinkCommand.class,
      ServerCommand.class,
      FirehoseCommand.class,
      RunCommand.class,
      SqlCommand.class,
      VideoCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Freshet {

  @Option(
      names = "--data-dir",
      scope = ScopeType.INHERIT,
      defaultValue = "./freshet-data",
      paramLabel = "DIR",
      description = "Folder of the embedded store (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--durability",
      scope = ScopeType.INHERIT,
      defaultValue = "os",
      paramLabel = "os|fsync",
      converter = DurabilityConverter.class,
      description = "os: a write survives a crash of the process; fsync: also of the machine "
          + "(default: ${DEFAULT-VALUE}).")
  Durability durability;

  @Option(
      names = "--throttling",
      scope = ScopeType.INHERIT,
      defaultValue = "off",
      paramLabel = "off|aws",
      converter = ThrottlingConverter.class,
      description = "aws: enforce the service's per-shard limits; off: no limits "
          + "(default: ${DEFAULT-VALUE}).")
  ThrottlingMode throttling;

  @Option(
      names = "--key-store",
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      description = "Key store of encryption at rest (default: the FRESHET_KEY_STORE environment "
          + "variable, else DIR/keys/keystore.json inside the data folder). Keep it outside the "
          + "data folder so that a copy of the data does not carry its keys.")
  @Nullable Path keyStore;

  /** The environment, read for {@code FRESHET_KEY_STORE}; tests give their own. */
  Function<String, @Nullable String> environment = System::getenv;

  /** Opens the store these options describe; the one place the CLI picks its implementation. */
  StreamClient openStore() {
    return LocalStreamStore.open(storeConfig().build());
  }

  /** The store configuration of these options, for commands that add settings of their own. */
  StoreConfig.Builder storeConfig() {
    StoreConfig.Builder builder =
        StoreConfig.builder(dataDir).setDurability(durability).setThrottling(throttling);
    Path keys = keyStoreFile();
    if (keys != null) {
      builder.setKeyStoreFile(keys);
    }
    return builder;
  }

  /** {@code --key-store}, else {@code FRESHET_KEY_STORE}, else null (the store's default). */
  @Nullable Path keyStoreFile() {
    if (keyStore != null) {
      return keyStore;
    }
    String fromEnvironment = environment.apply("FRESHET_KEY_STORE");
    return fromEnvironment == null || fromEnvironment.isBlank() ? null : Path.of(fromEnvironment);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with its error handling, for {@link #main} and in-process tests. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Freshet());
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionExceptionHandler(Freshet::handleExecutionException);
    return commandLine;
  }

  /** Failures the user can act on are one line on stderr; anything else is a bug worth a trace. */
  private static int handleExecutionException(
      Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) throws Exception {
    if (e instanceof StreamException streamException) {
      commandLine.getErr().printf("error: %s: %s%n", streamException.errorCode(), e.getMessage());
      commandLine.getErr().flush();
      return 1;
    }
    if (e instanceof CliException) {
      commandLine.getErr().printf("error: %s%n", e.getMessage());
      commandLine.getErr().flush();
      return 1;
    }
    throw e;
  }

  /** The root command object, holding the store options, from any subcommand's spec. */
  static Freshet root(CommandLine.Model.CommandSpec spec) {
    return (Freshet) spec.root().userObject();
  }

  static final class DurabilityConverter implements CommandLine.ITypeConverter<Durability> {
    @Override
    public Durability convert(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "os" -> Durability.OS;
        case "fsync" -> Durability.FSYNC;
        default -> throw new CommandLine.TypeConversionException(
            "--durability must be os or fsync, but was: " + value);
      };
    }
  }

  static final class ThrottlingConverter implements CommandLine.ITypeConverter<ThrottlingMode> {
    @Override
    public ThrottlingMode convert(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "off" -> ThrottlingMode.OFF;
        case "aws" -> ThrottlingMode.AWS;
        default -> throw new CommandLine.TypeConversionException(
            "--throttling must be off or aws, but was: " + value);
      };
    }
  }
}
