package io.sparklora.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Linear;
import io.sparklora.model.nn.Module;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoraInjectorTest {

    static final class Attention extends Module {
        Attention(NDManager m) {
            super(m);
            registerChild("c_attn", new Linear(m, 8, 24, true, true));
            registerChild("query", new Linear(m, 8, 8, true));
            registerChild("value", new Linear(m, 8, 8, true));
            registerChild("classifier", new Linear(m, 8, 2, true));
        }
    }

    @Test
    void injectsBySuffixTakesOverWeightsAndFreezesTheRest() {
        try (NDManager m = NDManager.newBaseManager()) {
            Attention model = new Attention(m);
            NDArray queryWeight = ((Linear) model.module("query")).weight().array();
            NDArray x = m.randomNormal(new Shape(2, 8));
            float[] before = ((Linear) model.module("query")).forward(x).toFloatArray();

            LoraSpec spec = LoraSpec.builder().targetModules("query", "value", "c_attn")
                    .enableLora("c_attn", true, false, true).r(2).alpha(4).modulesToSave("classifier").build();
            LoraInjector.Result result = LoraInjector.inject(model, spec);

            assertEquals(List.of("c_attn", "query", "value"), result.loraModules());
            assertInstanceOf(LoraMergedLinear.class, model.module("c_attn"));
            LoraLinear query = assertInstanceOf(LoraLinear.class, model.module("query"));
            assertSame(queryWeight, query.weight().array(), "injection must not copy the base weight");
            // B starts at zero, so the injected model computes what the base did.
            assertEquals(before[0], Autograd.noGrad(() -> query.forward(x)).toFloatArray()[0]);
            assertEquals(List.of("c_attn.lora_A", "c_attn.lora_B", "query.lora_A", "query.lora_B",
                            "value.lora_A", "value.lora_B", "classifier.weight", "classifier.bias"),
                    List.copyOf(Lora.trainableParameters(model).keySet()));
            long expectedTrainable = (4 * 8 + 16 * 2) + 2 * (2 * 8 + 8 * 2) + (2 * 8 + 2); // c_attn A,B; query, value; head
            assertEquals(expectedTrainable, result.trainable());
            assertTrue(result.summary().startsWith("trainable params: " + String.format("%,d", expectedTrainable)));
        }
    }

    @Test
    void rankPatternAndAlphaPatternOverridePerModule() {
        LoraSpec spec = LoraSpec.builder().targetModules("query", "value").r(4).alpha(8)
                .rankPattern("value", 2).alphaPattern("layer\\.1\\.query", 32).build();
        assertEquals(2, spec.configFor("encoder.layer.0.value").r());
        assertEquals(4, spec.configFor("encoder.layer.0.query").r());
        assertEquals(32f, spec.configFor("encoder.layer.1.query").alpha());
        assertEquals(8f, spec.configFor("encoder.layer.0.query").alpha());
    }

    @Test
    void targetThatMatchesNothingIsAnError() {
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoraInjector.inject(
                    new Attention(m), LoraSpec.builder().targetModules("q_proj").build()));
            assertTrue(e.getMessage().contains("q_proj"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> LoraInjector.inject(new Attention(m),
                    LoraSpec.builder().targetModules("query").modulesToSave("score").build()));
            assertThrows(IllegalArgumentException.class, () -> LoraSpec.builder().targetModules("query").r(0).build());
        }
    }
}
