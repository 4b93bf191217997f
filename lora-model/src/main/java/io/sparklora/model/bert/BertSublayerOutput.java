package io.sparklora.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.model.nn.LayerNorm;
import io.sparklora.model.nn.Linear;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.Ops;

/**
 * Hugging Face's {@code BertSelfOutput} / {@code BertOutput} (both named {@code output}): the
 * post-LayerNorm residual {@code LayerNorm(dropout(dense(h)) + residual)}.
 */
public final class BertSublayerOutput extends Module {
    private final float dropout;

    public BertSublayerOutput(NDManager manager, int in, int hidden, float eps, float dropout) {
        super(manager);
        this.dropout = dropout;
        registerChild("dense", new Linear(manager, in, hidden, true));
        registerChild("LayerNorm", new LayerNorm(manager, hidden, eps));
    }

    public NDArray forward(NDArray h, NDArray residual) {
        NDArray y = Ops.dropout(Layers.linear(this, "dense").forward(h), dropout, isTraining());
        return ((LayerNorm) children().get("LayerNorm")).forward(y.add(residual));
    }
}
