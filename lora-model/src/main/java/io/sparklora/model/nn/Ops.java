package io.sparklora.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Tensor operations that keep native memory in the caller's scope.
 *
 * <p>DJL attaches the result of an op to the manager of its first operand. Forward passes pass the
 * activation first, so results land in the step's manager; where a parameter must come first
 * (a transpose, B·A), {@link #scoped} moves the result into the activation's manager, so that
 * nothing created in a step survives in the long-lived model manager.
 */
public final class Ops {
    private Ops() {}

    /**
     * A new array holding a copy of {@code data} in memory PyTorch owns. DJL's {@code create} wraps a
     * Java direct buffer instead, which the JVM frees once the wrapping NDArray is gone, even while a
     * view or the autograd graph still reads it.
     */
    public static NDArray owned(NDManager manager, float[] data, ai.djl.ndarray.types.Shape shape) {
        java.nio.ByteBuffer buf = DirectBuffers.allocate(4L * data.length);
        buf.asFloatBuffer().put(data);
        return ownedCopy(manager, buf, shape, DataType.FLOAT32);
    }

    /** {@link #owned(NDManager, float[], ai.djl.ndarray.types.Shape)} for int64 data. */
    public static NDArray owned(NDManager manager, long[] data, ai.djl.ndarray.types.Shape shape) {
        java.nio.ByteBuffer buf = DirectBuffers.allocate(8L * data.length);
        buf.asLongBuffer().put(data);
        return ownedCopy(manager, buf, shape, DataType.INT64);
    }

    /** A PyTorch-owned copy of a direct buffer, which is freed at once (not at the next GC). */
    private static NDArray ownedCopy(NDManager manager, java.nio.ByteBuffer buf, ai.djl.ndarray.types.Shape shape,
                                     DataType type) {
        try {
            try (NDManager tmp = manager.newSubManager()) {
                NDArray copy = tmp.create(buf, shape, type).duplicate();
                copy.attach(manager);
                return copy;
            }
        } finally {
            DirectBuffers.free(buf);
        }
    }

    /** Moves {@code result} into the manager that owns {@code like} and returns it. */
    public static NDArray scoped(NDArray result, NDArray like) {
        return scoped(result, like.getManager());
    }

    public static NDArray scoped(NDArray result, NDManager manager) {
        if (result.getManager() != manager) {
            result.attach(manager);
        }
        return result;
    }

    /**
     * A 0-d array holding {@code value} in the manager and data type of {@code like}, allocated by
     * the engine. Use it instead of DJL's {@code mul(Number)} / {@code div(Number)} on anything that
     * is differentiated: with the PyTorch engine those wrap the number in a tensor over a Java direct
     * buffer and close it at once, while autograd keeps that tensor for the backward pass, which then
     * reads freed memory after a GC (garbage or NaN gradients).
     */
    public static NDArray scalar(NDArray like, float value) {
        return like.getManager().full(new ai.djl.ndarray.types.Shape(), value, like.getDataType());
    }

    /** {@code x · factor}, safe for autograd (see {@link #scalar}). */
    public static NDArray scale(NDArray x, float factor) {
        return x.mul(scalar(x, factor));
    }

    /** {@code x·Wᵀ + b} with W stored {@code [out, in]}; b may be null. */
    public static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    /** {@code x·W + b} with W stored {@code [in, out]} (GPT-2's Conv1D layout); b may be null. */
    public static NDArray matmulFanInFanOut(NDArray x, NDArray weight, NDArray bias) {
        NDArray y = x.matMul(weight);
        return bias == null ? y : y.addi(bias);
    }

    /** Row lookup {@code table[ids]}; the result belongs to the manager of {@code ids}. */
    public static NDArray embedding(NDArray ids, NDArray table) {
        NDArray idx = ids.getDataType() == DataType.INT64 ? ids : ids.toType(DataType.INT64, false);
        return idx.getNDArrayInternal().embedding(idx, table, ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow();
    }

    /** Inverted dropout with PyTorch's semantics; identity when not training or p is 0. */
    public static NDArray dropout(NDArray x, float p, boolean training) {
        if (!training || p == 0f) {
            return x;
        }
        return x.getNDArrayInternal().dropout(x, p, true).singletonOrThrow();
    }
}
