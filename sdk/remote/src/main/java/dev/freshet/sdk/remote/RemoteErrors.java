package dev.freshet.sdk.remote;

import dev.freshet.sdk.stream.errors.ExpiredIteratorException;
import dev.freshet.sdk.stream.errors.ExpiredNextTokenException;
import dev.freshet.sdk.stream.errors.InternalFailureException;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.KmsNotFoundException;
import dev.freshet.sdk.stream.errors.LimitExceededException;
import dev.freshet.sdk.stream.errors.ProvisionedThroughputExceededException;
import dev.freshet.sdk.stream.errors.ResourceInUseException;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import dev.freshet.sdk.stream.errors.StreamException;
import dev.freshet.sdk.stream.errors.ValidationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Maps the AWS SDK's exceptions back to the stream API's, by the service's error code, so callers
 * handle embedded and remote failures alike.
 */
final class RemoteErrors {
  private RemoteErrors() {}

  static StreamException map(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof StreamException) {
      return (StreamException) cause;
    }
    if (cause instanceof AwsServiceException) {
      AwsServiceException service = (AwsServiceException) cause;
      String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
      String message = service.awsErrorDetails() == null || service.awsErrorDetails().errorMessage() == null
          ? service.getMessage() : service.awsErrorDetails().errorMessage();
      return ofCode(code, message, service);
    }
    // No answer from the service (connection refused or reset, timeout): the caller may retry.
    String message = cause instanceof SdkException || cause.getMessage() != null ? cause.getMessage() : cause.toString();
    return new InternalFailureException("No response from the Kinesis endpoint: " + message, cause);
  }

  static StreamException ofCode(String code, String message, Throwable cause) {
    if (code == null) {
      return new InternalFailureException("Kinesis endpoint failed without an error code: " + message, cause);
    }
    switch (code) {
      case "ResourceNotFoundException":
        return new ResourceNotFoundException(message, cause);
      case "ResourceInUseException":
        return new ResourceInUseException(message, cause);
      case "InvalidArgumentException":
        return new InvalidArgumentException(message, cause);
      case "ValidationException":
        return new ValidationException(message, cause);
      case "ProvisionedThroughputExceededException":
        return new ProvisionedThroughputExceededException(message, cause);
      case "ExpiredIteratorException":
        return new ExpiredIteratorException(message, cause);
      case "ExpiredNextTokenException":
        return new ExpiredNextTokenException(message, cause);
      case "LimitExceededException":
        return new LimitExceededException(message, cause);
      case "KMSNotFoundException":
        return new KmsNotFoundException(message, cause);
      default:
        return new InternalFailureException(code + ": " + message, cause);
    }
  }
}
