package io.sparklora.model.gpt2;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Gpt2ConfigTest {
    // The keys a Hugging Face gpt2-medium config.json has (abridged; extra keys are ignored).
    private static final String MEDIUM = "{\"activation_function\": \"gelu_new\", \"architectures\": [\"GPT2LMHeadModel\"],"
            + " \"attn_pdrop\": 0.1, \"bos_token_id\": 50256, \"embd_pdrop\": 0.1, \"eos_token_id\": 50256,"
            + " \"initializer_range\": 0.02, \"layer_norm_epsilon\": 1e-05, \"model_type\": \"gpt2\", \"n_ctx\": 1024,"
            + " \"n_embd\": 1024, \"n_head\": 16, \"n_layer\": 24, \"n_positions\": 1024, \"n_special\": 0,"
            + " \"predict_special_tokens\": true, \"resid_pdrop\": 0.1, \"vocab_size\": 50257}";

    @Test
    void readsAHuggingFaceConfig() {
        Gpt2Config c = Gpt2Config.fromJson(new ByteArrayInputStream(MEDIUM.getBytes(StandardCharsets.UTF_8)),
                "config.json");
        assertEquals(24, c.nLayer());
        assertEquals(1024, c.nEmbd());
        assertEquals(16, c.nHead());
        assertEquals(64, c.headDim());
        assertEquals(50257, c.vocabSize());
        assertEquals(1024, c.nPositions());
        assertEquals(1024, c.nCtx());
        assertEquals(4096, c.nInner());
        assertEquals(1e-5f, c.layerNormEpsilon());
        assertEquals(Gpt2Config.medium().toString(), c.toString());
    }

    @Test
    void nCtxDefaultsToNPositions() {
        Gpt2Config c = Gpt2Config.fromJson("{\"n_layer\": 2, \"n_embd\": 8, \"n_head\": 2, \"vocab_size\": 10,"
                + " \"n_positions\": 16}", "c");
        assertEquals(16, c.nCtx());
        assertEquals(16, c.maxSequenceLength());
    }

    @Test
    void errorsNameTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gpt2Config.fromJson(MEDIUM.replace("\"n_head\": 16,", ""), "cfg.json"));
        assertTrue(e.getMessage().contains("'n_head'") && e.getMessage().contains("cfg.json"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gpt2Config.fromJson(MEDIUM.replace("\"n_layer\": 24", "\"n_layer\": \"24\""), "cfg.json"));
        assertTrue(e.getMessage().contains("'n_layer'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gpt2Config.fromJson(MEDIUM.replace("\"n_head\": 16", "\"n_head\": 15"), "cfg.json"));
        assertTrue(e.getMessage().contains("n_head") && e.getMessage().contains("divisible"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gpt2Config.fromJson(MEDIUM.replace("gelu_new", "relu"), "cfg.json"));
        assertTrue(e.getMessage().contains("activation_function"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gpt2Config.fromJson(MEDIUM.replace("1e-05", "-1"), "cfg.json"));
        assertTrue(e.getMessage().contains("layer_norm_epsilon"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Gpt2Config.fromJson("[1]", "cfg.json"));
        assertThrows(java.io.UncheckedIOException.class, () -> Gpt2Config.fromJson("{", "cfg.json"));
        assertThrows(IllegalArgumentException.class, () -> Gpt2Config.builder().nLayer(0).build());
    }
}
