package io.sparklora.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.LayerNorm} over the last dimension: biased variance, weight ones, bias zeros. */
public class LayerNorm extends Module {
    private final int dim;
    private final float eps;
    private final Param weight;
    private final Param bias;

    public LayerNorm(NDManager manager, int dim, float eps) {
        super(manager);
        if (dim <= 0 || !(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm needs dim > 0 and eps > 0, got " + dim + ", " + eps);
        }
        this.dim = dim;
        this.eps = eps;
        this.weight = registerParam("weight", manager.ones(new Shape(dim)), true);
        this.bias = registerParam("bias", manager.zeros(new Shape(dim)), true);
    }

    public NDArray forward(NDArray x) {
        return x.getNDArrayInternal()
                .layerNorm(x, new Shape(dim), weight.array(), bias.array(), eps)
                .singletonOrThrow();
    }
}
