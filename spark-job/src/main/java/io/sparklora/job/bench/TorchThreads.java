package io.sparklora.job.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PyTorch's thread pools for the bench: DJL 0.35.1 applies the system properties
 * {@code ai.djl.pytorch.num_threads} / {@code num_interop_threads} when the engine starts; the
 * intra-op count is also set directly (PyTorch copies it into each new thread on its first parallel
 * op), while the inter-op pool can only be sized before it starts, hence the property.
 */
public final class TorchThreads {
    private static final Logger LOG = LoggerFactory.getLogger(TorchThreads.class);

    private TorchThreads() {}

    /** Sets intra-op threads to {@code threads} and inter-op threads to 1; returns the effective intra-op count. */
    public static int configure(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Engine.getInstance();
        JniUtils.setNumThreads(threads);
        try {
            if (JniUtils.getNumInteropThreads() != 1) {
                JniUtils.setNumInteropThreads(1);
            }
        } catch (RuntimeException e) {
            LOG.warn("inter-op threads already started with {}; cannot set 1", JniUtils.getNumInteropThreads());
        }
        return intraOp();
    }

    /** The intra-op count PyTorch reports for the calling thread. */
    public static int intraOp() {
        return JniUtils.getNumThreads();
    }

    public static int interOp() {
        return JniUtils.getNumInteropThreads();
    }
}
