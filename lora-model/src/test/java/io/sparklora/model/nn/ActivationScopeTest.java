package io.sparklora.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActivationScopeTest {
    @Test
    void freesTemporariesKeepsResultsAndBackwardStillWorks() {
        try (NDManager root = NDManager.newBaseManager(); NDManager step = root.newSubManager()) {
            NDArray w = root.create(new float[] {1f, 2f, 3f});
            w.setRequiresGradient(true);
            NDArray x = Ops.owned(step, new float[] {0.5f, -1f, 2f}, new Shape(3));
            int before = step.getManagedArrays().size();
            NDArray y = Autograd.record(() -> {
                try (ActivationScope s = ActivationScope.open(x)) {
                    // x·w, tanh, square: three temporaries, of which autograd needs some for backward
                    NDArray t = x.mul(w).tanh();
                    return s.keep(t.mul(t).sum());
                }
            });
            // Only the kept result was added; x went back to its manager.
            assertEquals(before + 1, step.getManagedArrays().size());
            assertSame(step, x.getManager());
            assertSame(step, y.getManager());
            Autograd.backward(y);
            float[] xs = {0.5f, -1f, 2f};
            float[] ws = {1f, 2f, 3f};
            float[] expected = new float[3];
            for (int i = 0; i < 3; i++) {
                double t = Math.tanh(xs[i] * ws[i]);
                expected[i] = (float) (2 * t * (1 - t * t) * xs[i]);
            }
            assertArrayEquals(expected, w.getGradient().toFloatArray(), 1e-5f);
        }
    }

    @Test
    void nullPassesThroughAndInputIsRequired() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(2));
            try (ActivationScope s = ActivationScope.open(x)) {
                assertEquals(null, s.keep(null));
                assertSame(m, s.outer());
                assertTrue(x.getManager() != m, "input computes in the scope");
            }
            assertSame(m, x.getManager());
            assertThrows(NullPointerException.class, () -> ActivationScope.open(null));
        }
    }
}
