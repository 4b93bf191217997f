package io.sparklora.job.dist;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.sparklora.model.task.TaskModel;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private ExecutorModels() {}

    /** A materialised model and the version of the LoRA values it holds. */
    public static final class Holder {
        private final ReentrantLock lock = new ReentrantLock();
        private NDManager manager;
        private TaskModel model;
        /** The step whose LoRA values are loaded, or -1. */
        public long loadedVersion = -1;

        public TaskModel model() {
            return model;
        }
    }

    /** Runs {@code body} with exclusive use of the model, building it on first use in this JVM. */
    public static <T> T withModel(Broadcast<FrozenWeights> base, TaskModelFactory factory, Function<Holder, T> body) {
        Device device = assignedDevice();
        String key = base.id() + "/" + device + "/" + factory.key();
        Holder h = HOLDERS.computeIfAbsent(key, k -> new Holder());
        h.lock.lock();
        try {
            if (h.model == null) {
                long t0 = System.nanoTime();
                h.manager = NDManager.newBaseManager(device);
                h.model = factory.build(base.value().source(), h.manager);
                BUILDS.incrementAndGet();
                LOG.info("materialised model {} in {} ms", key, (System.nanoTime() - t0) / 1_000_000);
            }
            return body.apply(h);
        } finally {
            h.lock.unlock();
        }
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
}
