package io.sparklora.model.peft;

import io.sparklora.model.io.Storage;
import io.sparklora.model.lora.LoraSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random mutations of a real adapter_config.json for a bounded time: reading it and turning it
 * into a LoRA spec either works or fails with the documented exceptions (IOException for the file,
 * IllegalArgumentException / UnsupportedOperationException for the settings), never anything else.
 */
class AdapterConfigFuzzTest {
    private static final long SEED = 20261123L;
    private static final long BUDGET_NANOS = 2_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void mutatedConfigsFailOnlyWithTheDocumentedExceptions() throws IOException {
        Path good = dir.resolve("good");
        PeftAdapter.write(Map.of("h.0.attn.c_attn.lora_A", new PeftAdapter.Tensor(new long[] {8, 4}, new float[32]),
                        "h.0.attn.c_attn.lora_B", new PeftAdapter.Tensor(new long[] {8, 4}, new float[32])),
                LoraSpec.builder().targetModules("c_attn").enableLora("c_attn", true, false, true).r(4).alpha(16).build(),
                new PeftAdapter.Meta("base", "CAUSAL_LM", true), Storage.local(), good.toString());
        byte[] seed = Files.readAllBytes(good.resolve(PeftAdapter.CONFIG));
        Random rnd = new Random(SEED);
        Path target = dir.resolve("mutant");
        Files.createDirectories(target);
        long start = System.nanoTime();
        int iterations = 0;
        int accepted = 0;
        String alphabet = "{}[]\":,0123456789-.eEtruefalsn LORA r";
        while (System.nanoTime() - start < BUDGET_NANOS) {
            byte[] m = seed.clone();
            int edits = 1 + rnd.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int at = rnd.nextInt(m.length);
                switch (rnd.nextInt(3)) {
                    case 0:
                        m[at] = (byte) alphabet.charAt(rnd.nextInt(alphabet.length()));
                        break;
                    case 1:
                        m = java.util.Arrays.copyOf(m, at);
                        break;
                    default:
                        m[at] = (byte) rnd.nextInt(256);
                }
                if (m.length == 0) {
                    break;
                }
            }
            Files.write(target.resolve(PeftAdapter.CONFIG), m);
            iterations++;
            try {
                LoraSpec spec = PeftAdapter.specFromConfig(PeftAdapter.readConfig(Storage.local(), target.toString()),
                        "mutant");
                assertTrue(spec.r() > 0);
                accepted++;
            } catch (IOException | IllegalArgumentException | UnsupportedOperationException expected) {
                // documented
            } catch (RuntimeException | StackOverflowError e) {
                fail("iteration " + iterations + " (seed " + SEED + ") threw " + e + " for: "
                        + new String(m, StandardCharsets.UTF_8), e);
            }
        }
        assertTrue(iterations > 100, "only " + iterations + " iterations ran");
        assertTrue(accepted < iterations, "every mutant was accepted: the mutations are not biting");
    }
}
