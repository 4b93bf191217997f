package io.sparklora.eval;

/**
 * F1 of the positive class 1 (GLUE's MRPC and QQP): 2·TP / (2·TP + FP + FN).
 * Reference: scikit-learn {@code sklearn.metrics.f1_score(average='binary', pos_label=1)}; when there is
 * no true and no predicted positive the ratio is 0/0 and, like scikit-learn's {@code zero_division} default,
 * the result is 0.0.
 */
public final class F1Binary {
    private F1Binary() {}

    public static double compute(int[] predictions, int[] labels) {
        MetricArgs.sameNonEmptyLength(predictions.length, labels.length);
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int i = 0; i < predictions.length; i++) {
            boolean predicted = predictions[i] == 1;
            boolean gold = labels[i] == 1;
            if (predicted && gold) {
                tp++;
            } else if (predicted) {
                fp++;
            } else if (gold) {
                fn++;
            }
        }
        long denominator = 2 * tp + fp + fn;
        return denominator == 0 ? 0.0 : (2.0 * tp) / denominator;
    }
}
