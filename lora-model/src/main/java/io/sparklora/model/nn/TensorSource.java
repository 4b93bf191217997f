package io.sparklora.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Map;
import java.util.Set;

/**
 * Named tensors that can be materialised one at a time (a checkpoint file, a broadcast value, a
 * state dict), so that loading a model never holds two full copies of its weights.
 */
public interface TensorSource {
    /** Every tensor name, in the source's order. */
    Set<String> names();

    /** The tensor {@code name} as a new array in {@code manager}; the caller closes it. */
    NDArray load(String name, NDManager manager);

    /** Where the tensors come from, for error messages (a path, "adapter", ...). */
    default String description() {
        return "tensors";
    }

    /** A source over arrays already in memory; {@link #load} returns copies. */
    static TensorSource of(Map<String, NDArray> tensors, String description) {
        return new TensorSource() {
            @Override
            public Set<String> names() {
                return tensors.keySet();
            }

            @Override
            public NDArray load(String name, NDManager manager) {
                NDArray src = tensors.get(name);
                if (src == null) {
                    throw new IllegalArgumentException(description + ": no tensor '" + name + "'");
                }
                NDArray copy = src.duplicate();
                copy.attach(manager);
                return copy;
            }

            @Override
            public String description() {
                return description;
            }
        };
    }
}
