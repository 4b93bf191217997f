package io.sparklora.model.lora;

import io.sparklora.model.nn.Linear;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.Param;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Adds LoRA to a built model the way PEFT's {@code inject_adapter} does: every {@link Linear}
 * whose name matches the spec is replaced by a LoRA layer that takes over its weights, everything
 * else is frozen, and the {@code modulesToSave} train in full.
 */
public final class LoraInjector {
    private static final Logger LOG = LoggerFactory.getLogger(LoraInjector.class);

    private LoraInjector() {}

    /** What an injection did. */
    public record Result(List<String> loraModules, List<String> savedModules, long trainable, long total) {
        /** PEFT's {@code print_trainable_parameters} line. */
        public String summary() {
            return String.format(Locale.ROOT, "trainable params: %,d || all params: %,d || trainable%%: %.4f",
                    trainable, total, total == 0 ? 0.0 : 100.0 * trainable / total);
        }
    }

    /**
     * @throws IllegalArgumentException when a target or module to save matches nothing, or a target
     *     is not a linear layer
     */
    public static Result inject(Module model, LoraSpec spec) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(spec, "spec");
        List<String> targets = new ArrayList<>();
        List<String> saved = new ArrayList<>();
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            String name = e.getKey();
            if (spec.isModuleToSave(name)) {
                saved.add(name);
            } else if (!name.isEmpty() && spec.isTarget(name)) {
                if (!(e.getValue() instanceof Linear) || e.getValue() instanceof LoraLayer) {
                    throw new IllegalArgumentException("LoRA target '" + name + "' is a "
                            + e.getValue().getClass().getSimpleName() + ", expected a plain linear layer");
                }
                targets.add(name);
            }
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("lora targetModules " + describeTargets(spec)
                    + " match no linear layer of " + model.getClass().getSimpleName());
        }
        for (String wanted : spec.modulesToSave()) {
            if (saved.stream().noneMatch(s -> s.equals(wanted) || s.endsWith("." + wanted))) {
                throw new IllegalArgumentException("lora modulesToSave entry '" + wanted + "' matches no module");
            }
        }
        for (String name : targets) {
            Linear base = (Linear) model.module(name);
            LoraConfig cfg = spec.configFor(name);
            boolean[] groups = spec.enableLoraFor(name);
            Module lora = groups == null ? LoraLinear.wrap(base, cfg) : LoraMergedLinear.wrap(base, groups, cfg);
            model.replaceModule(name, lora);
        }
        Lora.markOnlyLoraAsTrainable(model, spec.bias());
        for (String name : saved) {
            model.module(name).namedParameters().values().forEach(p -> p.setRequiresGrad(true));
        }
        long trainable = 0;
        long total = 0;
        for (Param p : model.namedParameters().values()) {
            total += p.shape().size();
            trainable += p.requiresGrad() ? p.shape().size() : 0;
        }
        Result result = new Result(List.copyOf(targets), List.copyOf(saved), trainable, total);
        LOG.info("LoRA on {} modules ({}): {}", targets.size(), spec, result.summary());
        return result;
    }

    private static String describeTargets(LoraSpec spec) {
        return spec.targetRegex() != null ? "regex '" + spec.targetRegex() + "'" : spec.targetModules().toString();
    }
}
