package io.sparklora.model.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.nn.Ops;

import java.util.List;

/**
 * Examples padded to the longest one in the batch (dynamic padding, right side), as arrays in one
 * step's {@link NDManager}: {@code inputIds} and {@code attentionMask} {@code [B, T]} int64,
 * optional {@code tokenTypeIds}, and the targets the task uses.
 */
public final class Batch {
    public final int size;
    public final int maxLength;
    public final long tokens;
    public final NDArray inputIds;
    public final NDArray attentionMask;
    public final NDArray tokenTypeIds;
    /** [B] int64 class ids, or null. */
    public final NDArray labels;
    /** [B] float32 regression targets, or null. */
    public final NDArray scores;
    /** [B, T] int64 next-token targets (-1 = ignore), or null. */
    public final NDArray lmLabels;

    private Batch(int size, int maxLength, long tokens, NDArray inputIds, NDArray attentionMask,
                  NDArray tokenTypeIds, NDArray labels, NDArray scores, NDArray lmLabels) {
        this.size = size;
        this.maxLength = maxLength;
        this.tokens = tokens;
        this.inputIds = inputIds;
        this.attentionMask = attentionMask;
        this.tokenTypeIds = tokenTypeIds;
        this.labels = labels;
        this.scores = scores;
        this.lmLabels = lmLabels;
    }

    /**
     * @param padId the id written into padded positions (masked out by {@code attentionMask})
     */
    public static Batch of(List<Example> examples, int padId, NDManager manager) {
        if (examples == null || examples.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one example");
        }
        int b = examples.size();
        int t = 0;
        long tokens = 0;
        for (Example e : examples) {
            t = Math.max(t, e.length());
            tokens += e.length();
        }
        Example first = examples.get(0);
        long[] ids = new long[b * t];
        long[] mask = new long[b * t];
        long[] types = first.tokenTypeIds == null ? null : new long[b * t];
        long[] lm = first.lmLabels == null ? null : new long[b * t];
        long[] labels = first.label >= 0 ? new long[b] : null;
        float[] scores = Float.isNaN(first.score) ? null : new float[b];
        for (int i = 0; i < b; i++) {
            Example e = examples.get(i);
            if ((e.tokenTypeIds == null) != (types == null) || (e.lmLabels == null) != (lm == null)
                    || (e.label >= 0) != (labels != null) || Float.isNaN(e.score) != (scores == null)) {
                throw new IllegalArgumentException("example " + e.exampleId + " has other fields than "
                        + first.exampleId + "; a batch must come from one task");
            }
            for (int j = 0; j < t; j++) {
                boolean real = j < e.length();
                ids[i * t + j] = real ? e.inputIds[j] : padId;
                mask[i * t + j] = real ? 1 : 0;
                if (types != null) {
                    types[i * t + j] = real ? e.tokenTypeIds[j] : 0;
                }
                if (lm != null) {
                    lm[i * t + j] = real ? e.lmLabels[j] : -1;
                }
            }
            if (labels != null) {
                labels[i] = e.label;
            }
            if (scores != null) {
                scores[i] = e.score;
            }
        }
        Shape bt = new Shape(b, t);
        return new Batch(b, t, tokens, Ops.owned(manager, ids, bt), Ops.owned(manager, mask, bt),
                types == null ? null : Ops.owned(manager, types, bt),
                labels == null ? null : Ops.owned(manager, labels, new Shape(b)),
                scores == null ? null : Ops.owned(manager, scores, new Shape(b)),
                lm == null ? null : Ops.owned(manager, lm, bt));
    }
}
