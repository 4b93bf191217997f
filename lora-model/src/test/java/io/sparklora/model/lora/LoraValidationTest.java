package io.sparklora.model.lora;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad arguments fail with messages that say what was expected. */
class LoraValidationTest {

    @Test
    void negativeRankIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LoraConfig(-1, 1, 0, true));
        assertTrue(e.getMessage().contains(">= 0"), e.getMessage());
    }

    @Test
    void dropoutOutsideUnitIntervalIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new LoraConfig(4, 8, 1.5f, true));
    }

    @Test
    void enableLoraMustDivideOutFeatures() {
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LoraMergedLinear.builder().inFeatures(8).outFeatures(10).setEnableLora(true, false, true)
                            .optLora(new LoraConfig(2, 4, 0, true)).build(m));
            assertTrue(e.getMessage().contains("out_features 10"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> LoraMergedLinear.builder().inFeatures(8).outFeatures(9).setEnableLora(false, false, false)
                            .optLora(new LoraConfig(2, 4, 0, true)).build(m));
        }
    }

    @Test
    void wrongShapeTensorIsRejectedWithBothShapes() {
        try (NDManager m = NDManager.newBaseManager()) {
            LoraLinear l = LoraLinear.builder().inFeatures(16).outFeatures(12).optLora(new LoraConfig(4, 8, 0, true)).build(m);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> l.loraA().load("q.lora_A", m.zeros(new Shape(4, 15))));
            assertTrue(e.getMessage().contains("q.lora_A") && e.getMessage().contains("(4, 15)")
                    && e.getMessage().contains("expected (4, 16)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> l.loraB().load("q.lora_B", new float[3]));
        }
    }

    @Test
    void nonPositiveSizesAreRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class, () -> LoraLinear.builder().inFeatures(0).outFeatures(3).build(m));
            assertThrows(IllegalArgumentException.class,
                    () -> LoraConv2d.builder().inChannels(3).outChannels(4).kernelSize(3).optGroups(2).build(m));
            assertThrows(IllegalArgumentException.class,
                    () -> new LoraEmbedding(m, 10, 4, 10, new LoraConfig(2, 4, 0, true)));
        }
    }

    @Test
    void rankZeroIsThePlainLayer() {
        try (NDManager m = NDManager.newBaseManager()) {
            LoraLinear l = LoraLinear.builder().inFeatures(4).outFeatures(3).build(m);
            assertTrue(l.weight().requiresGrad());
            assertTrue(l.loraA() == null && l.loraB() == null);
        }
    }
}
