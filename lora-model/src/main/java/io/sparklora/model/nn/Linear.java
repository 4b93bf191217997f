package io.sparklora.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.Linear} (weight {@code [out, in]}), or with {@code fanInFanOut} GPT-2's
 * {@code Conv1D} (weight {@code [in, out]}, {@code y = x·W + b}). LoRA layers wrap one of these and
 * take over its arrays, so injecting LoRA never copies a base weight.
 */
public class Linear extends Module {
    protected final int inFeatures;
    protected final int outFeatures;
    protected final boolean fanInFanOut;
    protected final Param weight;
    protected final Param bias;

    /** A linear layer with PyTorch's default init, U(-1/sqrt(in), 1/sqrt(in)) for weight and bias. */
    public Linear(NDManager manager, int inFeatures, int outFeatures, boolean bias) {
        this(manager, inFeatures, outFeatures, bias, false);
    }

    /**
     * @param fanInFanOut store the weight {@code [in, out]} (GPT-2's Conv1D layout)
     */
    public Linear(NDManager manager, int in, int out, boolean bias, boolean fanInFanOut) {
        this(manager, in, out, randomWeight(manager, in, out, fanInFanOut),
                bias ? ParamInit.uniform(manager, -bound(in), bound(in), new Shape(out)) : null, fanInFanOut);
    }

    /** Takes over the arrays of {@code base} (which must not be used afterwards). */
    protected Linear(Linear base) {
        this(base.manager(), base.inFeatures, base.outFeatures, base.weight.array(),
                base.bias == null ? null : base.bias.array(), base.fanInFanOut);
        weight.setRequiresGrad(base.weight.requiresGrad());
        if (bias != null) {
            bias.setRequiresGrad(base.bias.requiresGrad());
        }
    }

    private Linear(NDManager manager, int in, int out, NDArray weight, NDArray bias, boolean fanInFanOut) {
        super(manager);
        this.inFeatures = in;
        this.outFeatures = out;
        this.fanInFanOut = fanInFanOut;
        this.weight = registerParam("weight", weight, true);
        this.bias = bias == null ? null : registerParam("bias", bias, true);
    }

    private static float bound(int in) {
        return (float) (1.0 / Math.sqrt(in));
    }

    private static NDArray randomWeight(NDManager manager, int in, int out, boolean fanInFanOut) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException(
                    "in_features and out_features must be positive, got " + in + " and " + out);
        }
        Shape shape = fanInFanOut ? new Shape(in, out) : new Shape(out, in);
        return ParamInit.uniform(manager, -bound(in), bound(in), shape);
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    public boolean fanInFanOut() {
        return fanInFanOut;
    }

    public Param weight() {
        return weight;
    }

    /** The bias, or null. */
    public Param bias() {
        return bias;
    }

    public NDArray forward(NDArray x) {
        NDArray b = bias == null ? null : bias.array();
        return fanInFanOut ? Ops.matmulFanInFanOut(x, weight.array(), b) : Ops.linear(x, weight.array(), b);
    }
}
