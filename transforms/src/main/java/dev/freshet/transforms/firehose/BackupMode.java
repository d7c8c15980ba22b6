package dev.freshet.transforms.firehose;

/**
 * What {@link FirehoseDelivery.Write#withBackup} keeps in the backup destination, as the service's
 * {@code S3BackupMode}.
 */
public enum BackupMode {
  /**
   * Only records that could not be delivered: the error output (the service's error JSON, under
   * the error output prefix) goes to the backup destination instead of the main one.
   */
  FAILED_DATA_ONLY,
  /**
   * Every source record as it arrived, before transformation and conversion, under the backup
   * prefix; and the error output as with {@link #FAILED_DATA_ONLY}.
   */
  ALL_DATA
}
