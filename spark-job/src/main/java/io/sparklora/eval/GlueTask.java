package io.sparklora.eval;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The GLUE tasks with their official metrics (Wang et al., 2019, GLUE benchmark, Table 1) and the label
 * values a prediction may take. MNLI is scored separately on its matched and mismatched evaluation sets.
 */
public enum GlueTask {
    COLA(2, List.of(GlueMetrics.MCC), "cola"),
    SST2(2, List.of(GlueMetrics.ACCURACY), "sst2", "sst-2"),
    MRPC(2, List.of(GlueMetrics.ACCURACY, GlueMetrics.F1), "mrpc"),
    QQP(2, List.of(GlueMetrics.ACCURACY, GlueMetrics.F1), "qqp"),
    STSB(0, List.of(GlueMetrics.PEARSON, GlueMetrics.SPEARMAN), "stsb", "sts-b"),
    MNLI(3, List.of(GlueMetrics.ACCURACY), "mnli"),
    MNLI_MATCHED(3, List.of(GlueMetrics.ACCURACY), "mnli-m", "mnli_matched", "mnli-matched"),
    MNLI_MISMATCHED(3, List.of(GlueMetrics.ACCURACY), "mnli-mm", "mnli_mismatched", "mnli-mismatched"),
    QNLI(2, List.of(GlueMetrics.ACCURACY), "qnli"),
    RTE(2, List.of(GlueMetrics.ACCURACY), "rte"),
    WNLI(2, List.of(GlueMetrics.ACCURACY), "wnli");

    private final int numClasses;
    private final List<String> metrics;
    private final List<String> names;

    GlueTask(int numClasses, List<String> metrics, String... names) {
        this.numClasses = numClasses;
        this.metrics = metrics;
        this.names = List.of(names);
    }

    /** Number of classes (labels 0..n-1), or 0 for the regression task STS-B. */
    public int numClasses() {
        return numClasses;
    }

    public boolean isRegression() {
        return numClasses == 0;
    }

    /** The metric keys this task reports, in output order. */
    public List<String> metrics() {
        return metrics;
    }

    /** Parses a task name case-insensitively ("sst2", "SST-2", "mnli-mm", ...). */
    public static GlueTask parse(String name) {
        if (name == null) {
            throw new IllegalArgumentException("GLUE task name is null");
        }
        String key = name.trim().toLowerCase(Locale.ROOT);
        for (GlueTask task : values()) {
            if (task.names.contains(key)) {
                return task;
            }
        }
        throw new IllegalArgumentException("unknown GLUE task '" + name + "'; expected one of "
                + Arrays.stream(values()).map(t -> t.names.get(0)).collect(Collectors.joining(", ")));
    }
}
