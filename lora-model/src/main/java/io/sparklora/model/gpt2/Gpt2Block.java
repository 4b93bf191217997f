package io.sparklora.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.model.nn.ActivationScope;
import io.sparklora.model.nn.LayerNorm;
import io.sparklora.model.nn.Module;

import java.util.function.BiConsumer;

/** One pre-LayerNorm transformer block: {@code x + attn(ln_1(x))}, then {@code x + mlp(ln_2(x))}. */
public final class Gpt2Block extends Module {
    Gpt2Block(NDManager manager, Gpt2Config config) {
        super(manager);
        registerChild("ln_1", new LayerNorm(manager, config.nEmbd(), config.layerNormEpsilon()));
        registerChild("attn", new Gpt2Attention(manager, config));
        registerChild("ln_2", new LayerNorm(manager, config.nEmbd(), config.layerNormEpsilon()));
        registerChild("mlp", new Gpt2Mlp(manager, config));
    }

    public Gpt2Attention attn() {
        return (Gpt2Attention) children().get("attn");
    }

    /** The block's output, and with {@code cache} its keys and values (else null). */
    Gpt2Attention.Result forward(NDArray x, NDArray padMask, NDArray pastKey, NDArray pastValue, boolean cache,
                                 String name, BiConsumer<String, NDArray> tap) {
        try (ActivationScope scope = ActivationScope.open(x)) {
            NDArray normed = ((LayerNorm) children().get("ln_1")).forward(x);
            Gpt2Attention.Result a = attn().forward(normed, padMask, pastKey, pastValue, name + ".attn", tap);
            NDArray h = x.add(a.output());
            NDArray m = ((Gpt2Mlp) children().get("mlp")).forward(((LayerNorm) children().get("ln_2")).forward(h));
            return new Gpt2Attention.Result(scope.keep(h.add(m)),
                    cache ? scope.keep(a.key()) : null, cache ? scope.keep(a.value()) : null);
        }
    }
}
