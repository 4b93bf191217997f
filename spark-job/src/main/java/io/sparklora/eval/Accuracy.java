package io.sparklora.eval;

/**
 * Fraction of exact matches between predicted and gold class labels.
 * Reference: scikit-learn {@code sklearn.metrics.accuracy_score} (unnormalised count / n).
 */
public final class Accuracy {
    private Accuracy() {}

    public static double compute(int[] predictions, int[] labels) {
        MetricArgs.sameNonEmptyLength(predictions.length, labels.length);
        long correct = 0;
        for (int i = 0; i < predictions.length; i++) {
            if (predictions[i] == labels[i]) {
                correct++;
            }
        }
        return (double) correct / predictions.length;
    }
}
