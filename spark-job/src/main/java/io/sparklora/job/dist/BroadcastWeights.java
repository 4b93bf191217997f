package io.sparklora.job.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.nn.Ops;
import io.sparklora.model.nn.TensorSource;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * The frozen base weights as broadcast once per job: each tensor in row blocks of at most
 * {@link #CHUNK_BYTES}, each block its own Spark broadcast. An executor copies a block into its
 * native model and then drops its local copy of that block, so at no time does it hold the whole
 * model on the Java heap next to the native one: peak host memory is the native model plus a few
 * blocks, not twice or three times the weights (a single broadcast keeps the serialized pieces and
 * the deserialized value on the heap for the executor's life).
 *
 * <p>This handle is small and travels in task closures; the driver keeps every block (an executor
 * started later, or a second model of another architecture, fetches them again).
 */
public final class BroadcastWeights implements Serializable {
    private static final long serialVersionUID = 1L;
    /** 16 MB blocks: the fixed part of an executor's transient heap need while it builds its model. */
    public static final long CHUNK_BYTES = 16L << 20;

    /** One tensor: its shape and its row blocks (the last may be shorter). */
    private record Entry(long[] shape, long rowsPerBlock, List<Broadcast<float[]>> blocks) implements Serializable {}

    private final LinkedHashMap<String, Entry> tensors;
    private final long id;
    private final long bytes;

    private BroadcastWeights(LinkedHashMap<String, Entry> tensors, long id, long bytes) {
        this.tensors = tensors;
        this.id = id;
        this.bytes = bytes;
    }

    /** Broadcasts every tensor of {@code weights} in blocks; the caller may drop {@code weights} afterwards. */
    public static BroadcastWeights of(JavaSparkContext jsc, FrozenWeights weights) {
        LinkedHashMap<String, Entry> out = new LinkedHashMap<>();
        long first = -1;
        for (String name : weights.names()) {
            long[] shape = weights.shape(name);
            long rows = shape.length == 0 ? 1 : shape[0]; // a scalar is one row of one value
            long rowSize = rows == 0 ? 0 : new Shape(shape).size() / rows;
            long rowsPerBlock = Math.max(1, CHUNK_BYTES / 4 / Math.max(1, rowSize));
            List<Broadcast<float[]>> blocks = new ArrayList<>();
            long r = 0;
            do { // an empty tensor still gets its (empty) block
                long to = Math.min(rows, r + rowsPerBlock);
                Broadcast<float[]> b = jsc.broadcast(weights.range(name, r * rowSize, to * rowSize));
                first = first < 0 ? b.id() : first;
                blocks.add(b);
                r = to;
            } while (r < rows);
            out.put(name, new Entry(shape, rowsPerBlock, blocks));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no base weights to broadcast");
        }
        return new BroadcastWeights(out, first, weights.bytes());
    }

    /** A stable id of this job's base (executor caches are keyed by it). */
    public long id() {
        return id;
    }

    /** Bytes of float32 weights (what the executor's native model holds). */
    public long bytes() {
        return bytes;
    }

    /** How many broadcasts carry the weights. */
    public int blocks() {
        return tensors.values().stream().mapToInt(e -> e.blocks().size()).sum();
    }

    /** The ids of the block broadcasts (to measure what they cost). */
    public java.util.Set<Long> broadcastIds() {
        java.util.Set<Long> ids = new java.util.TreeSet<>();
        tensors.values().forEach(e -> e.blocks().forEach(b -> ids.add(b.id())));
        return ids;
    }

    /** Drops the executors' copies of the blocks (the driver keeps its own). */
    public void unpersist() {
        tensors.values().forEach(e -> e.blocks().forEach(b -> b.unpersist(false)));
    }

    /** Frees the blocks everywhere (end of job). */
    public void destroy() {
        tensors.values().forEach(e -> e.blocks().forEach(Broadcast::destroy));
    }

    /** The tensors for building a model: each load assembles one native array from its blocks. */
    public TensorSource source() {
        return new TensorSource() {
            @Override
            public Set<String> names() {
                return Collections.unmodifiableSet(tensors.keySet());
            }

            @Override
            public NDArray load(String name, NDManager manager) {
                Entry e = tensors.get(name);
                if (e == null) {
                    throw new IllegalArgumentException("broadcast weights have no tensor '" + name + "'");
                }
                Shape shape = new Shape(e.shape());
                if (e.blocks().size() == 1) {
                    NDArray a = Ops.owned(manager, e.blocks().get(0).value(), shape);
                    dropLocalCopy(e.blocks().get(0));
                    return a;
                }
                NDArray full = manager.zeros(shape, DataType.FLOAT32);
                Shape rowShape = shape.slice(1);
                long row = 0;
                for (Broadcast<float[]> b : e.blocks()) {
                    float[] v = b.value();
                    long n = v.length / Math.max(1, rowShape.size());
                    try (NDManager tmp = manager.newSubManager()) {
                        NDArray block = Ops.owned(tmp, v, new Shape(n).addAll(rowShape));
                        full.set(new NDIndex("{}:{}", row, row + n), block);
                    }
                    dropLocalCopy(b);
                    row += n;
                }
                return full;
            }

            @Override
            public String description() {
                return "broadcast base weights";
            }
        };
    }

    /**
     * Removes an executor's local blocks of a broadcast once its values are in native memory. Not on
     * the driver (local mode): the driver's blocks are the source every executor fetches from.
     */
    private static void dropLocalCopy(Broadcast<float[]> b) {
        SparkEnv env = SparkEnv.get();
        if (env != null && !"driver".equals(env.executorId())) {
            env.blockManager().removeBroadcast(b.id(), true);
        }
    }
}
