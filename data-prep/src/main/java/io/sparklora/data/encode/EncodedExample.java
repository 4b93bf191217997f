package io.sparklora.data.encode;

import java.io.Serializable;

/**
 * A tokenized example, unpadded. Exactly one label field is set according to the task type (and none for
 * unlabelled test splits): {@code label} (classification), {@code score} (regression) or {@code lmLabels}
 * (generation). See {@link io.sparklora.data.prepare.PreparedSchema} for the meaning of each field.
 */
public record EncodedExample(int[] inputIds, int[] attentionMask, int[] tokenTypeIds, Integer label, Float score,
        int[] lmLabels, Integer promptLength, boolean truncated) implements Serializable {

    public int length() {
        return inputIds.length;
    }
}
