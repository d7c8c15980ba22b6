package dev.freshet.examples.clickstream;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.Random;

/**
 * Draws ranks 0 … n−1 with probability proportional to 1 / (rank + 1)^exponent: a few items take
 * most of the draws, as page views and user activity do on real sites.
 */
final class ZipfSampler {
  private final double[] cumulative;

  ZipfSampler(int n, double exponent) {
    checkArgument(n >= 1, "n must be at least 1, but was: %s", n);
    checkArgument(exponent > 0, "exponent must be positive, but was: %s", exponent);
    cumulative = new double[n];
    double sum = 0;
    for (int rank = 0; rank < n; rank++) {
      sum += 1.0 / Math.pow(rank + 1, exponent);
      cumulative[rank] = sum;
    }
    for (int rank = 0; rank < n; rank++) {
      cumulative[rank] /= sum;
    }
  }

  int sample(Random random) {
    int index = Arrays.binarySearch(cumulative, random.nextDouble());
    int rank = index >= 0 ? index : -index - 1;
    return Math.min(rank, cumulative.length - 1);
  }
}
