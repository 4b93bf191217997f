package io.sparklora.model.lora;

import ai.djl.ndarray.NDManager;
import io.sparklora.model.nn.Linear;

import java.util.Objects;

/** The settings LoRA linear layers share, in DJL's builder style: sizes required, the rest optional. */
public abstract class LinearBuilder<B extends LinearBuilder<B>> {
    private int in = -1;
    private int out = -1;
    private boolean bias = true;
    private boolean fanInFanOut;
    LoraConfig lora = LoraConfig.plain();

    abstract B self();

    public B inFeatures(int in) {
        this.in = in;
        return self();
    }

    public B outFeatures(int out) {
        this.out = out;
        return self();
    }

    public B optBias(boolean bias) {
        this.bias = bias;
        return self();
    }

    /** Store the weight {@code [in, out]} (GPT-2's Conv1D layout). */
    public B optFanInFanOut(boolean fanInFanOut) {
        this.fanInFanOut = fanInFanOut;
        return self();
    }

    public B optLora(LoraConfig lora) {
        this.lora = Objects.requireNonNull(lora, "lora");
        return self();
    }

    /** The base layer with PyTorch's default init, after checking the sizes. */
    Linear base(NDManager manager, String layer) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException(
                    layer + " needs inFeatures > 0 and outFeatures > 0, got " + in + " and " + out);
        }
        return new Linear(manager, in, out, bias, fanInFanOut);
    }

    int outFeatures() {
        return out;
    }
}
