package io.sparklora.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Objects;

/**
 * Frees a layer's temporary arrays when the layer returns, as PyTorch does when Python drops them.
 *
 * <p>DJL keeps every array until its manager closes, so a training step would otherwise hold every
 * intermediate of the forward pass (GELU's five products, the attention masks, ...) until the step
 * ends. Autograd does not need those handles: the tensors backward reads are saved in the graph with
 * their own references. Opening a scope on a layer's input moves the input into a sub-manager for
 * the duration, so everything computed from it lands there; {@link #keep} moves the results the
 * caller needs to the input's manager, and {@link #close} frees the rest and hands the input back.
 *
 * <pre>{@code
 * try (ActivationScope s = ActivationScope.open(x)) {
 *     return s.keep(layer(x));
 * }
 * }</pre>
 */
public final class ActivationScope implements AutoCloseable {
    private final NDManager outer;
    private final NDManager inner;

    private ActivationScope(NDArray input) {
        this.outer = input.getManager();
        this.inner = outer.newSubManager();
        input.tempAttach(inner);
    }

    /** Opens a scope for computations on {@code input} (an activation, never a parameter). */
    public static ActivationScope open(NDArray input) {
        Objects.requireNonNull(input, "input");
        return new ActivationScope(input);
    }

    /** The manager the kept results go to: the input's manager when the scope was opened. */
    public NDManager outer() {
        return outer;
    }

    /** Keeps {@code result} after the scope closes (null passes through). */
    public NDArray keep(NDArray result) {
        if (result != null && result.getManager() != outer) {
            result.attach(outer);
        }
        return result;
    }

    @Override
    public void close() {
        inner.close();
    }
}
