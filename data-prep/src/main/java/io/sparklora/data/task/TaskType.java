package io.sparklora.data.task;

/** What a task's label is, and therefore which label column of the prepared Parquet it fills. */
public enum TaskType {
    /** A class id in {@code 0..numLabels-1} (Parquet column {@code label}). */
    CLASSIFICATION,
    /** A float score (Parquet column {@code score}); STS-B. */
    REGRESSION,
    /** Conditional generation: per-token targets (Parquet column {@code lm_labels}); E2E, DART, WebNLG. */
    GENERATION
}
