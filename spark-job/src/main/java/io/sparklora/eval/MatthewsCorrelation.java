package io.sparklora.eval;

import java.util.HashMap;
import java.util.Map;

/**
 * Matthews correlation coefficient (GLUE's CoLA), in the multiclass form of Gorodkin (2004) that
 * scikit-learn uses: from the confusion matrix C with t_k true and p_k predicted counts of class k,
 * c = trace(C) and s = n, MCC = (c·s − Σ t_k p_k) / sqrt((s² − Σ p_k²)(s² − Σ t_k²)).
 * Reference: scikit-learn {@code sklearn.metrics.matthews_corrcoef}; a zero denominator (a constant
 * prediction or label vector) gives 0.0 as it does there.
 */
public final class MatthewsCorrelation {
    private MatthewsCorrelation() {}

    public static double compute(int[] predictions, int[] labels) {
        MetricArgs.sameNonEmptyLength(predictions.length, labels.length);
        Map<Integer, long[]> perClass = new HashMap<>(); // class -> {true count, predicted count}
        long correct = 0;
        for (int i = 0; i < predictions.length; i++) {
            perClass.computeIfAbsent(labels[i], k -> new long[2])[0]++;
            perClass.computeIfAbsent(predictions[i], k -> new long[2])[1]++;
            if (predictions[i] == labels[i]) {
                correct++;
            }
        }
        double s = predictions.length;
        double truePred = 0;
        double predSq = 0;
        double trueSq = 0;
        for (long[] tp : perClass.values()) {
            truePred += (double) tp[0] * tp[1];
            predSq += (double) tp[1] * tp[1];
            trueSq += (double) tp[0] * tp[0];
        }
        double covTruePred = correct * s - truePred;
        double covPredPred = s * s - predSq;
        double covTrueTrue = s * s - trueSq;
        if (covPredPred * covTrueTrue == 0) {
            return 0.0;
        }
        return covTruePred / Math.sqrt(covTrueTrue * covPredPred);
    }
}
