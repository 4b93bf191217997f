package io.sparklora.model.bert;

import ai.djl.ndarray.NDArray;
import io.sparklora.model.nn.Linear;
import io.sparklora.model.nn.Module;

/** Helpers shared by the encoder blocks. */
final class Layers {
    private Layers() {}

    /**
     * The child linear layer looked up at call time, never cached: LoRA injection replaces children
     * after construction, and the forward pass must use the replacement.
     */
    static Linear linear(Module parent, String name) {
        Module m = parent.children().get(name);
        if (!(m instanceof Linear)) {
            throw new IllegalStateException("module '" + name + "' of " + parent.getClass().getSimpleName()
                    + " is " + (m == null ? "missing" : "a " + m.getClass().getSimpleName()) + ", expected a linear layer");
        }
        return (Linear) m;
    }

    /** Exact (erf) GELU, {@code torch.nn.functional.gelu} with its default {@code approximate='none'}. */
    static NDArray gelu(NDArray x) {
        return x.getNDArrayInternal().gelu();
    }
}
