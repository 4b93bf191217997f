package io.sparklora.model.generate;

/**
 * One prompt's continuation.
 *
 * @param tokens generated token ids, without the prompt and without the final EOS
 * @param score {@code Σ log p / length^lengthPenalty} of the chosen hypothesis, length counting the EOS
 * @param endedWithEos true if an EOS token ended it, false if {@code maxNewTokens} did
 */
public record Generation(int[] tokens, double score, boolean endedWithEos) {}
