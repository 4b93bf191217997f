package io.sparklora.job.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.nn.TensorSource;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class NativeMemoryTest {
    @Test
    void trimmingSourceServesTheSameTensors() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.arange(6f).reshape(new Shape(2, 3));
            TensorSource plain = TensorSource.of(Map.of("w", a), "test");
            TensorSource trimming = NativeMemory.trimming(plain);
            assertEquals(plain.names(), trimming.names());
            assertEquals("test", trimming.description());
            NativeMemory.trim();
            assertArrayEquals(a.toFloatArray(), trimming.load("w", m).toFloatArray());
        }
    }
}
