package io.sparklora.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.model.nn.Linear;
import io.sparklora.model.nn.Ops;
import io.sparklora.model.nn.Module;

/** GPT-2's feed-forward block ({@code mlp}): {@code c_proj(gelu_new(c_fc(x)))}. */
public final class Gpt2Mlp extends Module {
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);

    Gpt2Mlp(NDManager manager, Gpt2Config config) {
        super(manager);
        registerChild("c_fc", new Linear(manager, config.nEmbd(), config.nInner(), true, true));
        registerChild("c_proj", new Linear(manager, config.nInner(), config.nEmbd(), true, true));
    }

    NDArray forward(NDArray x) {
        NDArray h = ((Linear) children().get("c_fc")).forward(x);
        return ((Linear) children().get("c_proj")).forward(geluTanh(h));
    }

    /** GELU, tanh approximation (Hugging Face's {@code gelu_new}, model.py's {@code gelu}). */
    static NDArray geluTanh(NDArray x) {
        // Ops.scale, not mul(Number): autograd keeps the factor (see Ops.scalar).
        NDArray inner = Ops.scale(Ops.scale(x.mul(x).mul(x), 0.044715f).add(x), SQRT_2_OVER_PI);
        return Ops.scale(x, 0.5f).mul(inner.tanh().add(1f));
    }
}
