package io.sparklora.job.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.nn.TensorSource;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The pretrained weights on the driver: row-major float32 per tensor, each tensor in chunks of at
 * most {@link #CHUNK} values so no array nears Java's 2 GB limit. {@link BroadcastWeights} sends
 * them to the executors; {@link #source()} serves them in one process.
 */
public final class FrozenWeights implements Serializable {
    private static final long serialVersionUID = 1L;
    /** 64 M floats = 256 MB per chunk. */
    static final int CHUNK = 1 << 26;

    private final LinkedHashMap<String, long[]> shapes = new LinkedHashMap<>();
    private final LinkedHashMap<String, float[][]> data = new LinkedHashMap<>();

    /** Copies every tensor of {@code source} to the heap. */
    public static FrozenWeights from(TensorSource source) {
        Objects.requireNonNull(source, "source");
        return TorchThread.call(() -> {
            FrozenWeights w = new FrozenWeights();
            try (NDManager m = NDManager.newBaseManager()) {
                for (String name : source.names()) {
                    try (NDManager tmp = m.newSubManager()) {
                        NDArray a = source.load(name, tmp);
                        w.put(name, a.getShape().getShape(),
                                a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray());
                    }
                }
            }
            return w;
        });
    }

    public void put(String name, long[] shape, float[] values) {
        Objects.requireNonNull(name, "name");
        long n = new Shape(shape).size();
        if (n != values.length) {
            throw new IllegalArgumentException("tensor " + name + " has " + values.length + " values, shape says " + n);
        }
        int chunks = (int) ((n + CHUNK - 1) / CHUNK);
        float[][] parts = new float[Math.max(chunks, 1)][];
        for (int c = 0; c < parts.length; c++) {
            int from = c * CHUNK;
            int len = (int) Math.min(CHUNK, n - from);
            parts[c] = chunks == 1 ? values : java.util.Arrays.copyOfRange(values, from, from + len);
        }
        shapes.put(name, shape.clone());
        data.put(name, parts);
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(shapes.keySet());
    }

    /** The shape of tensor {@code name}. */
    public long[] shape(String name) {
        long[] s = shapes.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no tensor '" + name + "'");
        }
        return s.clone();
    }

    /** Values {@code [from, to)} of tensor {@code name} in row-major order (a copy). */
    public float[] range(String name, long from, long to) {
        long n = new Shape(shape(name)).size();
        if (from < 0 || to < from || to > n || to - from > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("range [" + from + ", " + to + ") of tensor " + name + " with " + n + " values");
        }
        float[] out = new float[(int) (to - from)];
        float[][] parts = data.get(name);
        int at = 0;
        for (long i = from; i < to; ) {
            int part = (int) (i / CHUNK);
            int offset = (int) (i % CHUNK);
            int len = (int) Math.min(parts[part].length - offset, to - i);
            System.arraycopy(parts[part], offset, out, at, len);
            at += len;
            i += len;
        }
        return out;
    }

    public long bytes() {
        long n = 0;
        for (long[] s : shapes.values()) {
            n += new Shape(s).size() * 4;
        }
        return n;
    }

    /** The tensors as a {@link TensorSource}; each load creates one native array. */
    public TensorSource source() {
        return new TensorSource() {
            @Override
            public Set<String> names() {
                return FrozenWeights.this.names();
            }

            @Override
            public NDArray load(String name, NDManager manager) {
                float[][] parts = data.get(name);
                if (parts == null) {
                    throw new IllegalArgumentException("broadcast weights have no tensor '" + name + "'");
                }
                Shape shape = new Shape(shapes.get(name));
                if (parts.length == 1) {
                    return manager.create(parts[0], shape);
                }
                float[] all = new float[(int) shape.size()];
                int at = 0;
                for (float[] p : parts) {
                    System.arraycopy(p, 0, all, at, p.length);
                    at += p.length;
                }
                return manager.create(all, shape);
            }

            @Override
            public String description() {
                return "broadcast base weights";
            }
        };
    }
}
