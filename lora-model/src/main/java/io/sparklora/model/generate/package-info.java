/**
 * Text generation for {@link io.sparklora.model.gpt2.Gpt2LMHeadModel}: greedy and beam search with
 * microsoft/LoRA's {@code gpt2_beam.py} options and scoring, batched with left padding, using the
 * model's key/value cache.
 */
package io.sparklora.model.generate;
