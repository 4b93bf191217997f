package io.sparklora.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.model.nn.ActivationScope;
import io.sparklora.model.nn.Module;

/**
 * One encoder layer: {@code attention.self}, {@code attention.output}, {@code intermediate.dense}
 * (GELU), {@code output}; post-LayerNorm as in the original BERT.
 */
public final class BertLayer extends Module {

    public BertLayer(NDManager manager, BertConfig c) {
        super(manager);
        registerChild("attention", new Attention(manager, c));
        registerChild("intermediate", new Intermediate(manager, c));
        registerChild("output", new BertSublayerOutput(manager, c.intermediateSize(), c.hiddenSize(),
                c.layerNormEps(), c.hiddenDropoutProb()));
    }

    public NDArray forward(NDArray x, NDArray extendedMask) {
        return forward(x, extendedMask, false);
    }

    /** With {@code firstTokenOnly} the output is {@code [B, 1, H]}: the first position's row, exactly. */
    public NDArray forward(NDArray x, NDArray extendedMask, boolean firstTokenOnly) {
        try (ActivationScope scope = ActivationScope.open(x)) {
            NDArray a = ((Attention) children().get("attention")).forward(x, extendedMask, firstTokenOnly);
            NDArray i = ((Intermediate) children().get("intermediate")).forward(a);
            return scope.keep(((BertSublayerOutput) children().get("output")).forward(i, a));
        }
    }

    /** {@code attention}: {@code self} then {@code output}. */
    public static final class Attention extends Module {
        Attention(NDManager manager, BertConfig c) {
            super(manager);
            registerChild("self", new BertSelfAttention(manager, c));
            registerChild("output", new BertSublayerOutput(manager, c.hiddenSize(), c.hiddenSize(),
                    c.layerNormEps(), c.hiddenDropoutProb()));
        }

        public NDArray forward(NDArray x, NDArray extendedMask, boolean firstTokenOnly) {
            NDArray ctx = ((BertSelfAttention) children().get("self")).forward(x, extendedMask, firstTokenOnly);
            return ((BertSublayerOutput) children().get("output")).forward(ctx, firstTokenOnly ? x.get(":, 0:1") : x);
        }
    }

    /** {@code intermediate}: {@code gelu(dense(x))}. */
    public static final class Intermediate extends Module {
        Intermediate(NDManager manager, BertConfig c) {
            super(manager);
            registerChild("dense", new io.sparklora.model.nn.Linear(manager, c.hiddenSize(), c.intermediateSize(), true));
        }

        public NDArray forward(NDArray x) {
            return Layers.gelu(Layers.linear(this, "dense").forward(x));
        }
    }
}
