/**
 * Checkpoint output and input around LoRA.
 *
 * <ul>
 *   <li>{@link io.sparklora.model.peft.PeftAdapter}: Hugging Face PEFT adapter directories
 *       ({@code adapter_config.json} + {@code adapter_model.safetensors}, keys
 *       {@code base_model.model.<module>.lora_A.weight}), written from an injected model and loaded back into
 *       one. GPT-2's q,v adapter (loralib {@code MergedLinear}, {@code enable_lora = [q, k, v] = [T, F, T]}) has no
 *       PEFT form of its own and is written exactly as a PEFT {@code c_attn} adapter of rank 2r: A' = the two A
 *       matrices stacked {@code [2r, in]}, B' = {@code [3·d, 2r]} with B_q in the q rows / first r columns,
 *       B_v in the v rows / last r columns and zero k rows, {@code lora_alpha} = 2α, so α'/r' = α/r and
 *       {@code (α'/r')·B'·A'} is loralib's ΔW. PEFT, vLLM and other PEFT consumers load it as a plain adapter
 *       (it costs 2r instead of r multiply-adds per token in the LoRA path; the result is the same).</li>
 *   <li>{@link io.sparklora.model.peft.LoralibCheckpoint}: loralib's {@code lora_state_dict} as safetensors.</li>
 *   <li>{@link io.sparklora.model.peft.MergedExport}: {@code merge_and_unload} written as a plain Hugging Face
 *       model directory.</li>
 * </ul>
 */
package io.sparklora.model.peft;
