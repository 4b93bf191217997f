package io.sparklora.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.model.nn.TensorSource;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Adapts GPT-2 checkpoints to {@link Gpt2LMHeadModel}'s state-dict names. */
public final class Gpt2Checkpoints {
    private Gpt2Checkpoints() {}

    /**
     * A view of a Hugging Face GPT-2 checkpoint ({@code GPT2LMHeadModel} or bare {@code GPT2Model},
     * optionally saved under DataParallel's {@code module.}) with this model's names: a missing
     * {@code transformer.} prefix is added; the tied {@code lm_head.weight} and the mask buffers
     * {@code attn.bias} / {@code attn.masked_bias} (recomputed here) are left out, so that a strict
     * {@code loadStateDict} succeeds on a complete checkpoint.
     */
    public static TensorSource huggingFace(TensorSource source) {
        Objects.requireNonNull(source, "source");
        Map<String, String> renamed = new LinkedHashMap<>();
        for (String name : source.names()) {
            String n = name.startsWith("module.") ? name.substring("module.".length()) : name;
            if (n.equals("lm_head.weight") || n.equals("lm_head.decoder.weight")
                    || n.endsWith(".attn.bias") || n.endsWith(".attn.masked_bias")) {
                continue;
            }
            if (!n.startsWith("transformer.")) {
                n = "transformer." + n;
            }
            if (renamed.put(n, name) != null) {
                throw new IllegalArgumentException(source.description() + " has two tensors for '" + n + "'");
            }
        }
        Set<String> names = Collections.unmodifiableSet(renamed.keySet());
        return new TensorSource() {
            @Override
            public Set<String> names() {
                return names;
            }

            @Override
            public NDArray load(String name, NDManager manager) {
                String original = renamed.get(name);
                if (original == null) {
                    throw new IllegalArgumentException(source.description() + ": no tensor '" + name + "'");
                }
                return source.load(original, manager);
            }

            @Override
            public String description() {
                return source.description();
            }
        };
    }
}
