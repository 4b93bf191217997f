package io.sparklora.model.gpt2;

import ai.djl.ndarray.NDArray;

import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * The inputs of one GPT-2 forward pass. Only {@code inputIds} is required.
 *
 * <ul>
 *   <li>{@code inputIds} {@code [B, T]} integer token ids (the activation: every result lands in its manager);
 *   <li>{@code attentionMask} {@code [B, S]} of 0/1 over the past and current positions
 *       ({@code S = past length + T}); 0 marks padding that no position may attend to. Null: all 1;
 *   <li>{@code positionIds} {@code [B, T]} or {@code [1, T]}; null: {@code past..past+T-1};
 *   <li>{@code past} the keys/values of earlier positions, or null;
 *   <li>{@code useCache} return the keys/values of all positions ({@code presents});
 *   <li>{@code lastPositionOnly} compute logits for the last position only ({@code [B, 1, V]}),
 *       which is all generation needs and saves the {@code T×V} head for long prompts;
 *   <li>{@code tap} receives intermediates by name ({@code embeddings}, {@code h.N.attn.c_attn.output},
 *       {@code h.N.output}, {@code final_hidden}) for debugging and golden tests.
 * </ul>
 */
public final class Gpt2Input {
    final NDArray inputIds;
    NDArray attentionMask;
    NDArray positionIds;
    KvCache past;
    boolean useCache;
    boolean lastPositionOnly;
    BiConsumer<String, NDArray> tap;

    private Gpt2Input(NDArray inputIds) {
        this.inputIds = Objects.requireNonNull(inputIds, "inputIds");
    }

    public static Gpt2Input of(NDArray inputIds) {
        return new Gpt2Input(inputIds);
    }

    public Gpt2Input attentionMask(NDArray mask) {
        this.attentionMask = mask;
        return this;
    }

    public Gpt2Input positionIds(NDArray ids) {
        this.positionIds = ids;
        return this;
    }

    public Gpt2Input past(KvCache past) {
        this.past = past;
        return this;
    }

    public Gpt2Input useCache(boolean useCache) {
        this.useCache = useCache;
        return this;
    }

    public Gpt2Input lastPositionOnly(boolean lastOnly) {
        this.lastPositionOnly = lastOnly;
        return this;
    }

    public Gpt2Input tap(BiConsumer<String, NDArray> tap) {
        this.tap = tap;
        return this;
    }
}
