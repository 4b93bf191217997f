package io.sparklora.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Corpus-level GLUE metrics of one task from collected predictions: CoLA Matthews correlation; SST-2,
 * QNLI, RTE, WNLI, MNLI accuracy; MRPC and QQP accuracy and F1 of class 1; STS-B Pearson and Spearman.
 * Each metric is its own class ({@link Accuracy}, {@link F1Binary}, {@link MatthewsCorrelation},
 * {@link PearsonCorrelation}, {@link SpearmanCorrelation}) following the scikit-learn / SciPy definition
 * cited there.
 */
public final class GlueMetrics {
    public static final String ACCURACY = "accuracy";
    public static final String F1 = "f1";
    public static final String MCC = "mcc";
    public static final String PEARSON = "pearson";
    public static final String SPEARMAN = "spearman";

    private GlueMetrics() {}

    /**
     * Scores class predictions (or, for STS-B, real-valued scores) against gold labels.
     *
     * @return the task's metrics keyed as in {@link GlueTask#metrics()}, in that order
     * @throws IllegalArgumentException on different lengths, no examples, or a value that is not a
     *     valid label of the task (classification values must be integers in [0, numClasses))
     */
    public static Map<String, Double> compute(GlueTask task, double[] predictions, double[] labels) {
        if (task == null || predictions == null || labels == null) {
            throw new IllegalArgumentException("task, predictions and labels must not be null");
        }
        MetricArgs.sameNonEmptyLength(predictions.length, labels.length);
        Map<String, Double> out = new LinkedHashMap<>();
        if (task.isRegression()) {
            out.put(PEARSON, PearsonCorrelation.compute(predictions, labels));
            out.put(SPEARMAN, SpearmanCorrelation.compute(predictions, labels));
            return out;
        }
        int[] p = toClasses(task, predictions, "prediction");
        int[] y = toClasses(task, labels, "label");
        for (String metric : task.metrics()) {
            switch (metric) {
                case ACCURACY -> out.put(ACCURACY, Accuracy.compute(p, y));
                case F1 -> out.put(F1, F1Binary.compute(p, y));
                case MCC -> out.put(MCC, MatthewsCorrelation.compute(p, y));
                default -> throw new IllegalStateException("no implementation for metric " + metric);
            }
        }
        return out;
    }

    /** Same as {@link #compute(GlueTask, double[], double[])} for integer class labels. */
    public static Map<String, Double> compute(GlueTask task, int[] predictions, int[] labels) {
        if (predictions == null || labels == null) {
            throw new IllegalArgumentException("predictions and labels must not be null");
        }
        double[] p = new double[predictions.length];
        double[] y = new double[labels.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = predictions[i];
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = labels[i];
        }
        return compute(task, p, y);
    }

    private static int[] toClasses(GlueTask task, double[] values, String what) {
        int[] classes = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (v != Math.rint(v) || v < 0 || v >= task.numClasses()) {
                throw new IllegalArgumentException(what + " " + (i + 1) + " (1-based: line " + (i + 1) + " of a file) is " + v + " but task " + task
                         + " expects an integer class label in [0, " + (task.numClasses() - 1) + "]");
            }
            classes[i] = (int) v;
        }
        return classes;
    }
}
