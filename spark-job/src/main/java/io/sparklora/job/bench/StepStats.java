package io.sparklora.job.bench;

import java.util.Arrays;

/** Median, min and max of the timed steps' seconds (warm-up steps excluded by the caller). */
public record StepStats(int runs, double medianS, double minS, double maxS) {

    public static StepStats of(double[] seconds) {
        if (seconds == null || seconds.length == 0) {
            throw new IllegalArgumentException("no timed steps to summarise (runs must be >= 1)");
        }
        double[] s = seconds.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        return new StepStats(n, median, s[0], s[n - 1]);
    }

    /** Throughput from the median step: the bench convention for {@code tokens_per_s}. */
    public double tokensPerSecond(long tokensPerStep) {
        return medianS > 0 ? tokensPerStep / medianS : 0;
    }
}
