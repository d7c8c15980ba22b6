package dev.freshet.kinesis.store;

import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service's ARNs for streams ({@code arn:aws:kinesis:<region>:<account>:stream/<name>}) and
 * consumers ({@code <stream ARN>/consumer/<name>:<creation epoch seconds>}), for one region and
 * account.
 */
final class Arns {
  private static final Pattern STREAM =
      Pattern.compile("arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\\d{12}):stream/([a-zA-Z0-9_.-]{1,128})");
  private static final Pattern CONSUMER = Pattern.compile(
      "arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\\d{12}):stream/([a-zA-Z0-9_.-]{1,128})"
          + "/consumer/([a-zA-Z0-9_.-]{1,128}):(\\d{1,20})");

  private final String region;
  private final String account;

  Arns(String region, String account) {
    this.region = region;
    this.account = account;
  }

  String stream(String streamName) {
    return "arn:aws:kinesis:" + region + ":" + account + ":stream/" + streamName;
  }

  String consumer(String streamName, String consumerName, long createdMillis) {
    return stream(streamName) + "/consumer/" + consumerName + ":" + createdMillis / 1000;
  }

  /** The stream name in {@code nameOrArn}: the argument itself, or the name in a stream ARN. */
  String streamName(String nameOrArn) {
    if (!nameOrArn.startsWith("arn:")) {
      return nameOrArn;
    }
    Matcher matcher = STREAM.matcher(nameOrArn);
    if (!matcher.matches()) {
      throw new InvalidArgumentException("StreamARN " + nameOrArn + " is not a valid Kinesis stream ARN");
    }
    checkRegionAndAccount(nameOrArn, matcher.group(1), matcher.group(2));
    return matcher.group(3);
  }

  /** A consumer ARN's parts. */
  record ConsumerArn(String streamName, String consumerName, long createdSeconds) {}

  ConsumerArn parseConsumer(String consumerArn) {
    Matcher matcher = CONSUMER.matcher(consumerArn);
    if (!matcher.matches()) {
      throw new InvalidArgumentException("ConsumerARN " + consumerArn + " is not a valid consumer ARN");
    }
    checkRegionAndAccount(consumerArn, matcher.group(1), matcher.group(2));
    return new ConsumerArn(matcher.group(3), matcher.group(4), Long.parseLong(matcher.group(5)));
  }

  private void checkRegionAndAccount(String arn, String arnRegion, String arnAccount) {
    if (!arnRegion.equals(region) || !arnAccount.equals(account)) {
      throw new ResourceNotFoundException(
          arn + " is not in this store's region " + region + " and account " + account);
    }
  }
}
