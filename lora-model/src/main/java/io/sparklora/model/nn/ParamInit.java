package io.sparklora.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * How new layers fill their parameters: PyTorch's random defaults, or, while a model is built
 * {@linkplain #forCheckpoint for a checkpoint}, not at all. A checkpoint replaces every base tensor
 * right after construction, so random values would only cost time and, on an executor, resident
 * memory: uninitialised arrays are never written, so their pages are never touched.
 */
public final class ParamInit {
    private static final ThreadLocal<Boolean> UNINITIALISED = ThreadLocal.withInitial(() -> false);

    private ParamInit() {}

    /**
     * Runs {@code build} with layer constructors leaving their parameters uninitialised. The caller
     * must then load every parameter (a strict {@code loadStateDict}, or explicit values for the ones
     * a checkpoint lacks); LoRA layers injected afterwards initialise as usual.
     */
    public static <T> T forCheckpoint(Supplier<T> build) {
        Objects.requireNonNull(build, "build");
        boolean before = UNINITIALISED.get();
        UNINITIALISED.set(true);
        try {
            return build.get();
        } finally {
            UNINITIALISED.set(before);
        }
    }

    /** Whether constructors on this thread leave parameters uninitialised. */
    public static boolean uninitialised() {
        return UNINITIALISED.get();
    }

    /** U(lo, hi), or uninitialised inside {@link #forCheckpoint}. */
    public static NDArray uniform(NDManager manager, float lo, float hi, Shape shape) {
        return uninitialised() ? manager.create(shape, DataType.FLOAT32) : manager.randomUniform(lo, hi, shape);
    }

    /** N(mean, std), or uninitialised inside {@link #forCheckpoint}. */
    public static NDArray normal(NDManager manager, float mean, float std, Shape shape) {
        return uninitialised() ? manager.create(shape, DataType.FLOAT32)
                : manager.randomNormal(mean, std, shape, DataType.FLOAT32);
    }
}
