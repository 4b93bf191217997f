package io.sparklora.model.task;

import java.io.Serializable;
import java.util.Objects;

/**
 * One tokenized training or evaluation example, as the prepared Parquet holds it (no padding).
 * Exactly one of {@code label}, {@code score} and {@code lmLabels} is used, as the task says.
 */
public final class Example implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Position in the task's split (stable across runs; the data order derives from it). */
    public final long index;
    public final String exampleId;
    public final int[] inputIds;
    /** Segment ids (BERT pairs), or null. */
    public final int[] tokenTypeIds;
    /** Class id, or -1. */
    public final int label;
    /** Regression target (STS-B), or NaN. */
    public final float score;
    /** Per-token targets with ignore index -1 (causal LM), or null. */
    public final int[] lmLabels;

    public Example(long index, String exampleId, int[] inputIds, int[] tokenTypeIds, int label, float score,
                   int[] lmLabels) {
        this.index = index;
        this.exampleId = exampleId;
        this.inputIds = Objects.requireNonNull(inputIds, "inputIds");
        if (inputIds.length == 0) {
            throw new IllegalArgumentException("example " + exampleId + " has no tokens");
        }
        if (tokenTypeIds != null && tokenTypeIds.length != inputIds.length) {
            throw new IllegalArgumentException("example " + exampleId + ": token_type_ids length "
                    + tokenTypeIds.length + " != input_ids length " + inputIds.length);
        }
        if (lmLabels != null && lmLabels.length != inputIds.length) {
            throw new IllegalArgumentException("example " + exampleId + ": labels length "
                    + lmLabels.length + " != input_ids length " + inputIds.length);
        }
        this.tokenTypeIds = tokenTypeIds;
        this.label = label;
        this.score = score;
        this.lmLabels = lmLabels;
    }

    public int length() {
        return inputIds.length;
    }
}
