package io.sparklora.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.model.nn.Linear;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.Ops;

/**
 * {@code attention.self}: multi-head scaled dot-product attention with separate {@code query},
 * {@code key}, {@code value} projections (the usual LoRA targets). Scores are divided by
 * {@code sqrt(head_dim)} and the additive mask is added before the softmax, as in transformers 4.4.2.
 */
public final class BertSelfAttention extends Module {
    private final int heads;
    private final int headDim;
    private final float dropout;

    public BertSelfAttention(NDManager manager, BertConfig config) {
        super(manager);
        int h = config.hiddenSize();
        this.heads = config.numAttentionHeads();
        this.headDim = config.headDim();
        this.dropout = config.attentionProbsDropoutProb();
        registerChild("query", new Linear(manager, h, h, true));
        registerChild("key", new Linear(manager, h, h, true));
        registerChild("value", new Linear(manager, h, h, true));
    }

    /**
     * @param x {@code [B, T, H]}
     * @param extendedMask additive {@code [B, 1, 1, T]} mask, or null
     */
    public NDArray forward(NDArray x, NDArray extendedMask) {
        return forward(x, extendedMask, false);
    }

    /**
     * @param firstTokenOnly attend from the first position only (output {@code [B, 1, H]}); keys and
     *                       values still come from every position
     */
    public NDArray forward(NDArray x, NDArray extendedMask, boolean firstTokenOnly) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        long tq = firstTokenOnly ? 1 : t;
        NDArray queries = firstTokenOnly ? x.get(":, 0:1") : x;
        NDArray q = splitHeads(Layers.linear(this, "query").forward(queries), b, tq);
        NDArray k = splitHeads(Layers.linear(this, "key").forward(x), b, t);
        NDArray v = splitHeads(Layers.linear(this, "value").forward(x), b, t);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2));
        scores = scores.div(Ops.scalar(scores, (float) Math.sqrt(headDim)));
        if (extendedMask != null) {
            scores = scores.add(extendedMask);
        }
        NDArray probs = Ops.dropout(scores.softmax(-1), dropout, isTraining());
        return probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, tq, (long) heads * headDim);
    }

    private NDArray splitHeads(NDArray x, long b, long t) {
        return x.reshape(b, t, heads, headDim).transpose(0, 2, 1, 3);
    }
}
