/**
 * GPT-2 causal language model on the {@code nn} module tree, with Hugging Face parameter names, a
 * key/value cache, padding-aware attention, and microsoft/LoRA's NLG loss.
 *
 * <p>Typical use: {@code Gpt2LMHeadModel.build(Gpt2Config.fromJson(...), manager)}, then
 * {@code model.loadStateDict(Gpt2Checkpoints.huggingFace(source), true)}, then
 * {@code LoraInjector.inject(model, spec)}; per step {@code Gpt2LMHeadModel.loss(model.logits(ids), labels, mask, ls)}
 * inside {@code Autograd.record}, with every input in the step's manager.
 */
package io.sparklora.model.gpt2;
