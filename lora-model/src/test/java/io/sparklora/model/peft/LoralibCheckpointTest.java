package io.sparklora.model.peft;

import ai.djl.ndarray.NDManager;
import io.sparklora.model.gpt2.Gpt2LMHeadModel;
import io.sparklora.model.io.SafetensorsReader;
import io.sparklora.model.io.SafetensorsWriter;
import io.sparklora.model.io.Storage;
import io.sparklora.model.lora.Bias;
import io.sparklora.model.lora.Lora;
import io.sparklora.model.lora.LoraInjector;
import io.sparklora.model.lora.LoraSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** loralib's lora_state_dict as a safetensors file: names, round trip, errors. */
class LoralibCheckpointTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripGivesIdenticalLogits() throws IOException {
        Path base = tmp.resolve("base");
        TinyCheckpoints.writeBase(base, 31);
        LoraSpec spec = PeftAdapterTest.qv();
        String file = tmp.resolve("lora.safetensors").toString();
        try (NDManager root = NDManager.newBaseManager()) {
            Gpt2LMHeadModel trained = TinyCheckpoints.load(base, root.newSubManager());
            LoraInjector.inject(trained, spec);
            TinyCheckpoints.randomizeLora(trained, 3);
            float[] expected = TinyCheckpoints.logits(trained);
            LoralibCheckpoint.save(trained, Bias.ALL, Storage.local(), file);
            try (SafetensorsReader r = SafetensorsReader.open(Path.of(file))) {
                assertEquals(Lora.loraStateDict(trained, Bias.ALL).keySet(), r.tensors().keySet());
                assertTrue(r.tensors().containsKey("transformer.h.0.attn.c_attn.lora_A"));
                assertArrayEquals(new long[] {64, 4}, r.info("transformer.h.1.attn.c_attn.lora_B").shape());
                assertEquals("all", r.metadata().get("bias"));
            }
            Gpt2LMHeadModel fresh = TinyCheckpoints.load(base, root.newSubManager());
            LoraInjector.inject(fresh, spec);
            TinyCheckpoints.randomizeLora(fresh, 4);
            assertTrue(TinyCheckpoints.maxAbsDiff(expected, TinyCheckpoints.logits(fresh)) > 1e-2);
            LoralibCheckpoint.load(fresh, Storage.local(), file);
            assertArrayEquals(expected, TinyCheckpoints.logits(fresh), 0f);

            // Errors name the tensor.
            String bad = tmp.resolve("bad.safetensors").toString();
            new SafetensorsWriter().addFloats("transformer.h.0.attn.c_attn.lora_A", new long[] {4, 32}, new float[128])
                    .write(Path.of(bad));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LoralibCheckpoint.load(fresh, Storage.local(), bad));
            assertTrue(e.getMessage().contains("transformer.h.0.attn.c_attn.lora_A"), e.getMessage());
            new SafetensorsWriter().addFloats("transformer.h.9.attn.c_attn.lora_A", new long[] {8, 32}, new float[256])
                    .write(Path.of(bad));
            e = assertThrows(IllegalArgumentException.class, () -> LoralibCheckpoint.load(fresh, Storage.local(), bad));
            assertTrue(e.getMessage().contains("transformer.h.9.attn.c_attn.lora_A"), e.getMessage());
            new SafetensorsWriter().addFloats("transformer.h.0.attn.c_attn.lora_A", new long[] {8, 32}, new float[256])
                    .write(Path.of(bad));
            e = assertThrows(IllegalArgumentException.class, () -> LoralibCheckpoint.load(fresh, Storage.local(), bad));
            assertTrue(e.getMessage().contains("transformer.h.1.attn.c_attn.lora_B"), e.getMessage());
        }
    }
}
