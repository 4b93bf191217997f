package io.sparklora.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Objects;

/**
 * Keys and values of every attention layer for the tokens seen so far ({@code past_key_values}):
 * per layer {@code [B, n_head, S, head_dim]} each. A forward pass given a cache attends over it and
 * returns a new, longer cache; it never modifies the one it was given, so the caller decides when
 * the old one is closed.
 */
public final class KvCache implements AutoCloseable {
    private final NDArray[] keys;
    private final NDArray[] values;

    KvCache(NDArray[] keys, NDArray[] values) {
        if (keys.length != values.length || keys.length == 0) {
            throw new IllegalArgumentException("a cache needs one key and one value per layer");
        }
        this.keys = keys.clone();
        this.values = values.clone();
    }

    public int layers() {
        return keys.length;
    }

    /** Rows (prompts, or prompts × beams). */
    public long batchSize() {
        return keys[0].getShape().get(0);
    }

    /** Cached positions S, padding included. */
    public long length() {
        return keys[0].getShape().get(2);
    }

    public NDArray key(int layer) {
        return keys[layer];
    }

    public NDArray value(int layer) {
        return values[layer];
    }

    /**
     * A cache with the given rows of this one, in order (beam reordering, or repeating each prompt's
     * row once per beam). The new arrays belong to {@code manager}.
     *
     * @param rows INT64 row indices
     */
    public KvCache selectRows(NDArray rows, NDManager manager) {
        Objects.requireNonNull(rows, "rows");
        NDArray[] k = new NDArray[keys.length];
        NDArray[] v = new NDArray[values.length];
        for (int i = 0; i < keys.length; i++) {
            k[i] = keys[i].get(manager, new ai.djl.ndarray.index.NDIndex("{}", rows));
            v[i] = values[i].get(manager, new ai.djl.ndarray.index.NDIndex("{}", rows));
        }
        return new KvCache(k, v);
    }

    /** Moves every array into {@code manager} (for example out of a step's manager that closes). */
    public KvCache attach(NDManager manager) {
        for (int i = 0; i < keys.length; i++) {
            keys[i].attach(manager);
            values[i].attach(manager);
        }
        return this;
    }

    @Override
    public void close() {
        for (int i = 0; i < keys.length; i++) {
            keys[i].close();
            values[i].close();
        }
    }
}
