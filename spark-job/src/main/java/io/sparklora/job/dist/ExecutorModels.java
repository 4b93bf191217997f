package io.sparklora.job.dist;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.sparklora.model.task.TaskModel;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The executor-side registry: one materialised model per JVM per (base broadcast, architecture),
 * built on first use from the broadcast value and kept for the whole job. Tasks of the same JVM take
 * turns on it (a lock): PyTorch already spreads one task's math over the executor's cores, and the
 * shared LoRA parameters and gradient buffers must not be touched by two tasks at once.
 */
public final class ExecutorModels {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);
    private static final ConcurrentHashMap<String, Holder> HOLDERS = new ConcurrentHashMap<>();
    private static final AtomicInteger BUILDS = new AtomicInteger();
    private static final AtomicInteger SHARED = new AtomicInteger();
    private ExecutorModels() {}

    /** A materialised model and the version of the LoRA values it holds. */
    public static final class Holder {
        private final ReentrantLock lock = new ReentrantLock();
        private NDManager manager;
        private volatile TaskModel model;
        /** The {@link #version} of the LoRA values loaded, or -1. */
        public long loadedVersion = -1;

        public TaskModel model() {
            return model;
        }
    }

    /**
     * Runs {@code body} with exclusive use of the model, building it on first use in this JVM. Models
     * of the same base that differ in their adapters or heads (several tasks in one job) hold the
     * frozen weights once: each later one borrows the first one's arrays.
     */
    public static <T> T withModel(BroadcastWeights base, TaskModelFactory factory, Function<Holder, T> body) {
        Device device = assignedDevice();
        String baseKey = base.id() + "/" + device + "/";
        String key = baseKey + factory.key();
        Holder h = HOLDERS.computeIfAbsent(key, k -> new Holder());
        h.lock.lock();
        try {
            return TorchThread.call(() -> {
                if (h.model == null) {
                    build(h, key, baseKey, base, factory, device);
                }
                return body.apply(h);
            });
        } finally {
            h.lock.unlock();
        }
    }

    /** Runs on the PyTorch thread, so models of one base are built one at a time and later ones can borrow. */
    private static void build(Holder h, String key, String baseKey, BroadcastWeights base,
                              TaskModelFactory factory, Device device) {
        long t0 = System.nanoTime();
        IntraOpThreads.applyOnce();
        NDManager manager = NDManager.newBaseManager(device);
        TaskModel model = factory.build(NativeMemory.trimming(base.source()), manager);
        NativeMemory.trim();
        Holder first = HOLDERS.entrySet().stream()
                .filter(e -> e.getKey().startsWith(baseKey) && e.getValue() != h && e.getValue().model != null)
                .map(Map.Entry::getValue).findFirst().orElse(null);
        int shared = first == null ? 0 : model.module().shareFrozenParameters(first.model.module());
        h.manager = manager;
        h.model = model;
        BUILDS.incrementAndGet();
        SHARED.addAndGet(shared);
        LOG.info("materialised model {} in {} ms{}", key, (System.nanoTime() - t0) / 1_000_000,
                shared > 0 ? " (" + shared + " frozen tensors shared with the base's first model)" : "");
    }

    /**
     * The GPU Spark assigned to the running task ({@code spark.task.resource.gpu.amount}), else the
     * CPU. Needs DJL's CUDA flavour of PyTorch on the executors; the default build ships CPU natives.
     */
    static Device assignedDevice() {
        TaskContext tc = TaskContext.get();
        if (tc != null) {
            ResourceInformation gpu = tc.resourcesJMap().get("gpu");
            if (gpu != null && gpu.addresses().length > 0) {
                return Device.gpu(Integer.parseInt(gpu.addresses()[0].trim()));
            }
        }
        return Device.cpu();
    }

    /**
     * Names a set of LoRA values: the broadcast that carried them and the adapter's index in it. Training
     * and evaluation of every adapter share this numbering, so a model never mistakes one adapter's
     * values for another's.
     */
    public static long version(long broadcastId, int adapter) {
        if (adapter < 0 || adapter >= GradientAllReduce.MAX_ADAPTERS) {
            throw new IllegalArgumentException("adapter index " + adapter + " out of range");
        }
        return broadcastId * GradientAllReduce.MAX_ADAPTERS + adapter;
    }

    /** A holder around a model the caller owns (the single-process loop). */
    public static Holder standalone(TaskModel model) {
        Holder h = new Holder();
        h.model = model;
        return h;
    }

    /** Frees the models built from a broadcast (the driver calls it at the end; matters in local mode). */
    public static void release(long broadcastId) {
        HOLDERS.entrySet().removeIf(e -> {
            if (!e.getKey().startsWith(broadcastId + "/")) {
                return false;
            }
            Holder h = e.getValue();
            h.lock.lock();
            try {
                if (h.manager != null) {
                    h.manager.close();
                }
                h.model = null;
            } finally {
                h.lock.unlock();
            }
            return true;
        });
    }

    /** How many models this JVM has materialised (tests check it is one per job). */
    public static int builds() {
        return BUILDS.get();
    }

    /** How many frozen tensors models of this JVM borrowed from an earlier model of the same base. */
    public static int sharedTensors() {
        return SHARED.get();
    }
}
