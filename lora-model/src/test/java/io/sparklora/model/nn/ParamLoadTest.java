package io.sparklora.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading copies into the parameter's own array; building for a checkpoint skips the random init. */
class ParamLoadTest {
    @Test
    void loadCopiesInPlaceConvertsAndOutlivesTheSource() {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear layer = new Linear(m, 2, 2, true);
            layer.weight().setRequiresGrad(true);
            NDArray before = layer.weight().array();
            try (NDManager tmp = m.newSubManager()) {
                // a float64 value that wraps a Java buffer, freed with tmp
                layer.weight().load("w", tmp.create(new double[] {1, 2, 3, 4}, new Shape(2, 2)));
                layer.bias().load("b", tmp.create(new float[] {5, 6}));
            }
            System.gc();
            assertSame(before, layer.weight().array(), "loaded in place");
            assertArrayEquals(new float[] {1, 2, 3, 4}, layer.weight().array().toFloatArray());
            assertArrayEquals(new float[] {5, 6}, layer.bias().array().toFloatArray());
            assertTrue(layer.weight().array().hasGradient(), "still trainable");
            assertSame(DataType.FLOAT32, layer.weight().array().getDataType());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> layer.weight().load("w", m.zeros(new Shape(3, 2))));
            assertTrue(e.getMessage().contains("'w' has shape (3, 2), expected (2, 2)"), e.getMessage());
        }
    }

    @Test
    void forCheckpointLeavesWeightsUninitialisedOnlyInside() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertFalse(ParamInit.uninitialised());
            Linear inside = ParamInit.forCheckpoint(() -> {
                assertTrue(ParamInit.uninitialised());
                return new Linear(m, 64, 64, true);
            });
            assertFalse(ParamInit.uninitialised());
            assertThrows(IllegalStateException.class, () -> ParamInit.forCheckpoint(() -> {
                throw new IllegalStateException("build failed");
            }));
            assertFalse(ParamInit.uninitialised(), "restored after a failure");
            // Outside: PyTorch's U(-1/8, 1/8), never all zero, within the bound.
            float[] random = new Linear(m, 64, 64, true).weight().array().toFloatArray();
            float max = 0;
            for (float v : random) {
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max > 0.05f && max <= 0.125f, "max |w| " + max);
            // Inside: the right shapes, and a load fills them.
            assertArrayEquals(new long[] {64, 64}, inside.weight().shape().getShape());
            inside.weight().load("w", m.ones(new Shape(64, 64)));
            assertTrue(inside.weight().array().eq(1f).all().getBoolean());
        }
    }
}
