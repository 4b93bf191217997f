package io.sparklora.eval;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Spearman's rho (GLUE's STS-B): Pearson's r of the ranks, tied values getting the average of the ranks
 * they span. Reference: SciPy {@code scipy.stats.spearmanr} with {@code scipy.stats.rankdata(method='average')}.
 * A constant input gives 0.0 (SciPy: NaN), as in {@link PearsonCorrelation}.
 */
public final class SpearmanCorrelation {
    private SpearmanCorrelation() {}

    public static double compute(double[] predictions, double[] labels) {
        MetricArgs.sameNonEmptyLength(predictions.length, labels.length);
        MetricArgs.allFinite(predictions, "predictions");
        MetricArgs.allFinite(labels, "labels");
        return PearsonCorrelation.compute(averageRanks(predictions), averageRanks(labels));
    }

    /** 1-based ranks; a run of equal values gets the mean of the ranks it occupies. */
    static double[] averageRanks(double[] values) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        double[] ranks = new double[values.length];
        int start = 0;
        while (start < order.length) {
            int end = start;
            while (end + 1 < order.length && values[order[end + 1]] == values[order[start]]) {
                end++;
            }
            double rank = (start + end) / 2.0 + 1.0;
            for (int k = start; k <= end; k++) {
                ranks[order[k]] = rank;
            }
            start = end + 1;
        }
        return ranks;
    }
}
