package io.sparklora.eval.run;

import io.sparklora.eval.GlueMetrics;
import io.sparklora.eval.GlueTask;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A classification (or STS-B regression) evaluation: the per-example predictions in index order and
 * the task's corpus-level GLUE metrics computed from them; no metrics when the split has no labels.
 */
public record ClassificationEval(GlueTask task, List<ScoredExample> predictions, Map<String, Double> metrics) {
    public ClassificationEval {
        Objects.requireNonNull(task, "task");
        predictions = List.copyOf(predictions);
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /** Computes the metrics from predictions sorted by index. */
    public static ClassificationEval of(GlueTask task, List<ScoredExample> predictions) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(predictions, "predictions");
        if (predictions.isEmpty()) {
            throw new IllegalArgumentException("no predictions to score for " + task);
        }
        int n = predictions.size();
        double[] p = new double[n];
        double[] y = new double[n];
        boolean labelled = true;
        for (int i = 0; i < n; i++) {
            ScoredExample s = predictions.get(i);
            p[i] = s.prediction;
            y[i] = s.label;
            labelled &= s.hasLabel();
        }
        Map<String, Double> metrics = labelled ? GlueMetrics.compute(task, p, y) : Map.of();
        return new ClassificationEval(task, predictions, metrics);
    }
}
