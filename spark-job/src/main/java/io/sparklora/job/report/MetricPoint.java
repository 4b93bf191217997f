package io.sparklora.job.report;

import java.time.Instant;
import java.util.Objects;

/**
 * One row of a run's metrics table ({@code <output>/metrics}): a value of one metric of one task and
 * adapter at a training step. Training rows have split {@code train} (loss, learning_rate,
 * tokens_per_second); evaluation rows {@code dev}/{@code test} (accuracy, f1, BLEU, ...).
 */
public record MetricPoint(String task, String adapter, long step, int epoch, String split, String metric,
                          double value, Instant time) {
    public MetricPoint {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(metric, "metric");
        adapter = adapter == null ? "" : adapter;
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step + " for " + task + "/" + metric);
        }
    }
}
