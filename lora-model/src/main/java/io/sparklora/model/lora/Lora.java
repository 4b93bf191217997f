package io.sparklora.model.lora;

import ai.djl.ndarray.NDArray;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.Param;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** loralib's {@code utils.py}: choose what trains, and what a LoRA checkpoint holds. */
public final class Lora {
    private Lora() {}

    /**
     * Freezes every parameter whose name lacks {@code lora_} (LoRA parameters keep their flag), then
     * unfreezes biases as {@code bias} says. Names are matched as substrings of the dotted name, as
     * loralib does: with {@link Bias#ALL}, {@code bias_proj.weight} trains too.
     */
    public static void markOnlyLoraAsTrainable(Module model, Bias bias) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(bias, "bias");
        freezeNonLora(model);
        applyBias(model, bias);
    }

    /**
     * The same with loralib's string spelling. Like loralib, an unknown mode fails only after the
     * non-LoRA parameters were frozen.
     */
    public static void markOnlyLoraAsTrainable(Module model, String bias) {
        Objects.requireNonNull(model, "model");
        freezeNonLora(model);
        applyBias(model, Bias.parse(bias));
    }

    private static void freezeNonLora(Module model) {
        model.namedParameters().forEach((name, p) -> {
            if (!name.contains("lora_")) {
                p.setRequiresGrad(false);
            }
        });
    }

    private static void applyBias(Module model, Bias bias) {
        switch (bias) {
            case NONE:
                return;
            case ALL:
                model.namedParameters().forEach((name, p) -> {
                    if (name.contains("bias")) {
                        p.setRequiresGrad(true);
                    }
                });
                return;
            case LORA_ONLY:
                for (Module m : model.namedModules().values()) {
                    if (m instanceof LoraLayer && ((LoraLayer) m).bias() != null) {
                        ((LoraLayer) m).bias().setRequiresGrad(true);
                    }
                }
                return;
            default:
                throw new AssertionError(bias);
        }
    }

    /**
     * The state-dict entries a LoRA checkpoint holds, in state-dict order: keys containing
     * {@code lora_}, plus (ALL) every key containing {@code bias}, buffers included, or (LORA_ONLY)
     * the {@code <prefix>bias} next to the first LoRA key of each layer.
     */
    public static Map<String, NDArray> loraStateDict(Module model, Bias bias) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(bias, "bias");
        Map<String, NDArray> all = model.stateDict();
        Map<String, NDArray> out = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.contains("lora_")) {
                out.put(k, v);
                if (bias == Bias.LORA_ONLY) {
                    String biasName = k.substring(0, k.indexOf("lora_")) + "bias";
                    if (all.containsKey(biasName)) {
                        out.put(biasName, all.get(biasName));
                    }
                }
            } else if (bias == Bias.ALL && k.contains("bias")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** loralib's string spelling of {@link #loraStateDict(Module, Bias)}. */
    public static Map<String, NDArray> loraStateDict(Module model, String bias) {
        return loraStateDict(model, Bias.parse(bias));
    }

    /** Parameters that currently train, by dotted name. */
    public static Map<String, Param> trainableParameters(Module model) {
        Map<String, Param> out = new LinkedHashMap<>();
        model.namedParameters().forEach((n, p) -> {
            if (p.requiresGrad()) {
                out.put(n, p);
            }
        });
        return out;
    }
}
