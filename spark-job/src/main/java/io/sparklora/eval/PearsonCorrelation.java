package io.sparklora.eval;

/**
 * Pearson's r (GLUE's STS-B), computed on mean-centred values as SciPy does to avoid cancellation.
 * Reference: SciPy {@code scipy.stats.pearsonr}. Where one input is constant SciPy returns NaN; here the
 * 0/0 case gives 0.0, the convention this project uses for every GLUE metric (JSON has no NaN).
 */
public final class PearsonCorrelation {
    private PearsonCorrelation() {}

    public static double compute(double[] predictions, double[] labels) {
        MetricArgs.sameNonEmptyLength(predictions.length, labels.length);
        MetricArgs.allFinite(predictions, "predictions");
        MetricArgs.allFinite(labels, "labels");
        double meanX = mean(predictions);
        double meanY = mean(labels);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < predictions.length; i++) {
            double dx = predictions[i] - meanX;
            double dy = labels[i] - meanY;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) {
            return 0.0;
        }
        double r = sxy / (Math.sqrt(sxx) * Math.sqrt(syy));
        return Math.max(-1.0, Math.min(1.0, r));
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
