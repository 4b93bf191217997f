package io.sparklora.model.gpt2;

import ai.djl.ndarray.NDArray;

/**
 * The result of a forward pass.
 *
 * @param logits {@code [B, T, V]} ({@code [B, 1, V]} with {@code lastPositionOnly})
 * @param presents keys/values of past and current positions when {@code useCache} was set, else null
 */
public record Gpt2Output(NDArray logits, KvCache presents) {}
