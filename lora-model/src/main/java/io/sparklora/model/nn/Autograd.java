package io.sparklora.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.function.Supplier;

/**
 * Reverse-mode autodiff on the calling thread.
 *
 * <p>DJL's {@code GradientCollector} for PyTorch allows one collector per JVM, but Spark runs
 * several tasks per executor JVM. PyTorch's grad mode is thread-local, so we switch it per thread
 * and call backward directly.
 */
public final class Autograd {
    private Autograd() {}

    /** Runs {@code body} with gradient recording on for this thread, restoring the previous mode. */
    public static <T> T record(Supplier<T> body) {
        return withGradMode(true, body);
    }

    /** Runs {@code body} without recording gradients (inference, in-place parameter updates). */
    public static <T> T noGrad(Supplier<T> body) {
        return withGradMode(false, body);
    }

    private static <T> T withGradMode(boolean on, Supplier<T> body) {
        boolean before = JniUtils.isGradMode();
        JniUtils.setGradMode(on);
        try {
            return body.get();
        } finally {
            JniUtils.setGradMode(before);
        }
    }

    /** Back-propagates a scalar; gradients accumulate into every leaf that requires them. */
    public static void backward(NDArray scalar) {
        if (scalar.getShape().size() != 1) {
            throw new IllegalArgumentException("backward needs a scalar, got shape " + scalar.getShape());
        }
        NDArray seed = scalar.onesLike();
        try {
            JniUtils.backward((PtNDArray) scalar, (PtNDArray) seed, false, false);
        } finally {
            seed.close();
        }
    }

    /**
     * The accumulated gradient of a parameter, or null if none was computed. The returned handle
     * belongs to {@code into}; it shares storage with the parameter's gradient.
     */
    public static NDArray gradient(Param p, NDManager into) {
        NDArray array = p.array();
        if (!p.requiresGrad()) {
            return null;
        }
        NDArray g;
        try {
            g = array.getGradient();
        } catch (IllegalStateException noGradientYet) {
            return null;
        }
        g.attach(into);
        return g;
    }

    /** Resets a parameter's accumulated gradient to zero (PyTorch accumulates across backward calls). */
    public static void zeroGradient(Param p) {
        if (p.requiresGrad()) {
            JniUtils.zeroGrad((PtNDArray) p.array());
        }
    }
}
