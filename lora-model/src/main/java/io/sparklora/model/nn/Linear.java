package io.sparklora.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.Linear}: weight {@code [out, in]}, optional bias, PyTorch's default init. */
public class Linear extends Module {
    protected final int inFeatures;
    protected final int outFeatures;
    protected final Param weight;
    protected final Param bias;

    public Linear(NDManager manager, int inFeatures, int outFeatures, boolean bias) {
        this(manager, inFeatures, outFeatures, bias, false);
    }

    /**
     * @param fanInFanOut store the weight {@code [in, out]} (GPT-2's Conv1D layout)
     */
    protected Linear(NDManager manager, int in, int out, boolean bias, boolean fanInFanOut) {
        super(manager);
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException(
                    "in_features and out_features must be positive, got " + in + " and " + out);
        }
        this.inFeatures = in;
        this.outFeatures = out;
        // kaiming_uniform_(a=sqrt(5)) and the bias rule of nn.Linear both give U(-1/sqrt(in), 1/sqrt(in)).
        float bound = (float) (1.0 / Math.sqrt(in));
        Shape shape = fanInFanOut ? new Shape(in, out) : new Shape(out, in);
        this.weight = registerParam("weight", manager.randomUniform(-bound, bound, shape), true);
        this.bias = bias
                ? registerParam("bias", manager.randomUniform(-bound, bound, new Shape(out)), true)
                : null;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    public Param weight() {
        return weight;
    }

    /** The bias, or null. */
    public Param bias() {
        return bias;
    }

    public NDArray forward(NDArray x) {
        return Ops.linear(x, weight.array(), bias == null ? null : bias.array());
    }
}
