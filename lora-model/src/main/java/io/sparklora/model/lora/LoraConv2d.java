package io.sparklora.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.Ops;
import io.sparklora.model.nn.Param;

/**
 * loralib's {@code lora.Conv2d} ({@code ConvLoRA}): {@code conv2d(x, W + (α/r)·view(B·A, W.shape), b)}
 * with a square kernel k, A {@code [r·k, in·k]} (Kaiming-uniform), B {@code [out/groups·k, r·k]}
 * (zeros). Like loralib, the state dict also lists the inner convolution's {@code conv.weight} and
 * {@code conv.bias}, which are the same tensors. loralib applies no dropout here.
 */
public final class LoraConv2d extends Module implements LoraLayer {
    private final LoraConfig lora;
    private final Shape stride;
    private final Shape padding;
    private final Shape dilation;
    private final int groups;
    private final Param weight;
    private final Param bias;
    private final Param loraA;
    private final Param loraB;
    private boolean merged;

    private LoraConv2d(NDManager manager, Builder b) {
        super(manager);
        this.lora = b.lora;
        this.stride = new Shape(b.stride, b.stride);
        this.padding = new Shape(b.padding, b.padding);
        this.dilation = new Shape(b.dilation, b.dilation);
        this.groups = b.groups;
        int k = b.kernel;
        // nn.Conv2d's default init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in/groups·k·k.
        float bound = (float) (1.0 / Math.sqrt((double) b.in / groups * k * k));
        weight = registerParam("weight",
                manager.randomUniform(-bound, bound, new Shape(b.out, b.in / groups, k, k)), true);
        bias = b.bias ? registerParam("bias", manager.randomUniform(-bound, bound, new Shape(b.out)), true) : null;
        if (lora.r() > 0) {
            float aBound = (float) (1.0 / Math.sqrt((double) b.in * k));
            loraA = registerParam("lora_A",
                    manager.randomUniform(-aBound, aBound, new Shape((long) lora.r() * k, (long) b.in * k)), true);
            loraB = registerParam("lora_B",
                    manager.zeros(new Shape((long) b.out / groups * k, (long) lora.r() * k)), true);
            weight.setRequiresGrad(false);
        } else {
            loraA = null;
            loraB = null;
        }
        registerStateDictAlias("conv.weight", "weight");
        if (bias != null) {
            registerStateDictAlias("conv.bias", "bias");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public LoraConfig loraConfig() {
        return lora;
    }

    @Override
    public boolean isMerged() {
        return merged;
    }

    public Param weight() {
        return weight;
    }

    @Override
    public Param bias() {
        return bias;
    }

    public Param loraA() {
        return loraA;
    }

    public Param loraB() {
        return loraB;
    }

    public NDArray forward(NDArray x) {
        NDArray w = weight.array();
        if (lora.r() > 0 && !merged) {
            NDArray delta = Ops.scoped(loraB.array().matMul(loraA.array()), x);
            w = Ops.scale(delta.reshape(w.getShape()), lora.scaling()).add(w);
        }
        return x.getNDArrayInternal()
                .convolution(x, w, bias == null ? null : bias.array(), stride, padding, dilation, groups)
                .singletonOrThrow();
    }

    @Override
    protected void onModeChange(boolean train) {
        merged = Merging.switchMode(train, merged, lora, weight, manager(), tmp ->
                Ops.scoped(loraB.array().matMul(loraA.array()), tmp).reshape(weight.shape()).mul(lora.scaling()));
    }

    /** Builder in DJL's style; kernel, stride, padding and dilation are square. */
    public static final class Builder {
        private int in = -1;
        private int out = -1;
        private int kernel = -1;
        private int stride = 1;
        private int padding;
        private int dilation = 1;
        private int groups = 1;
        private boolean bias = true;
        private LoraConfig lora = LoraConfig.plain();

        public Builder inChannels(int in) {
            this.in = in;
            return this;
        }

        public Builder outChannels(int out) {
            this.out = out;
            return this;
        }

        public Builder kernelSize(int kernel) {
            this.kernel = kernel;
            return this;
        }

        public Builder optStride(int stride) {
            this.stride = stride;
            return this;
        }

        public Builder optPadding(int padding) {
            this.padding = padding;
            return this;
        }

        public Builder optDilation(int dilation) {
            this.dilation = dilation;
            return this;
        }

        public Builder optGroups(int groups) {
            this.groups = groups;
            return this;
        }

        public Builder optBias(boolean bias) {
            this.bias = bias;
            return this;
        }

        public Builder optLora(LoraConfig lora) {
            this.lora = java.util.Objects.requireNonNull(lora, "lora");
            return this;
        }

        public LoraConv2d build(NDManager manager) {
            if (in <= 0 || out <= 0 || kernel <= 0) {
                throw new IllegalArgumentException("LoraConv2d needs in_channels, out_channels and "
                        + "kernel_size > 0, got " + in + ", " + out + ", " + kernel);
            }
            if (stride <= 0 || dilation <= 0 || padding < 0 || groups <= 0
                    || in % groups != 0 || out % groups != 0) {
                throw new IllegalArgumentException("invalid conv settings: stride " + stride + ", padding "
                        + padding + ", dilation " + dilation + ", groups " + groups
                        + " (groups must divide in and out channels)");
            }
            if (lora.dropout() != 0f) {
                throw new IllegalArgumentException("loralib's Conv2d applies no LoRA dropout, got " + lora.dropout());
            }
            return new LoraConv2d(manager, this);
        }
    }
}
