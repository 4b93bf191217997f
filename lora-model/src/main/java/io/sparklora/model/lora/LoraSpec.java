package io.sparklora.model.lora;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where and how to add LoRA to a model, like PEFT's {@code LoraConfig}: target modules by name
 * suffix (or one regex), rank, alpha, dropout, bias mode, modules trained and saved in full, and
 * per-module rank/alpha overrides. {@code enableLora} turns a fused projection (GPT-2's
 * {@code c_attn}) into loralib's {@code MergedLinear} with LoRA on the enabled groups only.
 */
public final class LoraSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<String> targetModules;
    private final String targetRegex;
    private final int r;
    private final float alpha;
    private final float dropout;
    private final Bias bias;
    private final List<String> modulesToSave;
    private final Map<String, Integer> rankPattern;
    private final Map<String, Float> alphaPattern;
    private final Map<String, boolean[]> enableLora;
    private final boolean mergeWeights;

    private LoraSpec(Builder b) {
        this.targetModules = List.copyOf(b.targetModules);
        this.targetRegex = b.targetRegex;
        this.r = b.r;
        this.alpha = b.alpha;
        this.dropout = b.dropout;
        this.bias = b.bias;
        this.modulesToSave = List.copyOf(b.modulesToSave);
        this.rankPattern = Collections.unmodifiableMap(new LinkedHashMap<>(b.rankPattern));
        this.alphaPattern = Collections.unmodifiableMap(new LinkedHashMap<>(b.alphaPattern));
        Map<String, boolean[]> e = new LinkedHashMap<>();
        b.enableLora.forEach((k, v) -> e.put(k, v.clone()));
        this.enableLora = Collections.unmodifiableMap(e);
        this.mergeWeights = b.mergeWeights;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** This spec with another merge setting (executors never merge; exports do). */
    public LoraSpec withMergeWeights(boolean merge) {
        return copy(merge, modulesToSave);
    }

    /** This spec with other modules trained and saved in full. */
    public LoraSpec withModulesToSave(List<String> modules) {
        return copy(mergeWeights, modules);
    }

    private LoraSpec copy(boolean merge, List<String> toSave) {
        Builder b = builder().r(r).alpha(alpha).dropout(dropout).bias(bias).mergeWeights(merge);
        b.targetModules.addAll(targetModules);
        b.targetRegex = targetRegex;
        b.modulesToSave.addAll(toSave);
        b.rankPattern.putAll(rankPattern);
        b.alphaPattern.putAll(alphaPattern);
        enableLora.forEach(b::enableLora);
        return b.build();
    }

    public List<String> targetModules() {
        return targetModules;
    }

    /** The regex that whole module names must match, or null when {@link #targetModules()} is used. */
    public String targetRegex() {
        return targetRegex;
    }

    public int r() {
        return r;
    }

    public float alpha() {
        return alpha;
    }

    public float dropout() {
        return dropout;
    }

    public Bias bias() {
        return bias;
    }

    public List<String> modulesToSave() {
        return modulesToSave;
    }

    public Map<String, Integer> rankPattern() {
        return rankPattern;
    }

    public Map<String, Float> alphaPattern() {
        return alphaPattern;
    }

    public Map<String, boolean[]> enableLora() {
        return enableLora;
    }

    public boolean mergeWeights() {
        return mergeWeights;
    }

    /** PEFT's rule: a list entry matches a module named exactly so or ending in {@code .entry}. */
    public boolean isTarget(String moduleName) {
        if (targetRegex != null) {
            return Pattern.compile(targetRegex).matcher(moduleName).matches();
        }
        for (String t : targetModules) {
            if (matchesSuffix(moduleName, t)) {
                return true;
            }
        }
        return false;
    }

    /** The {@code enableLora} groups for a target, or null for a plain LoRA linear. */
    public boolean[] enableLoraFor(String moduleName) {
        for (Map.Entry<String, boolean[]> e : enableLora.entrySet()) {
            if (matchesSuffix(moduleName, e.getKey())) {
                return e.getValue().clone();
            }
        }
        return null;
    }

    /** The LoRA settings for one target, after rank and alpha patterns. */
    public LoraConfig configFor(String moduleName) {
        int rank = r;
        float a = alpha;
        String rk = patternKey(rankPattern, moduleName);
        if (rk != null) {
            rank = rankPattern.get(rk);
        }
        String ak = patternKey(alphaPattern, moduleName);
        if (ak != null) {
            a = alphaPattern.get(ak);
        }
        if (rank <= 0) {
            throw new IllegalArgumentException("rank for module " + moduleName + " must be > 0, got " + rank);
        }
        return new LoraConfig(rank, a, dropout, mergeWeights);
    }

    /** True when the module at this name is trained and saved in full. */
    public boolean isModuleToSave(String moduleName) {
        for (String m : modulesToSave) {
            if (matchesSuffix(moduleName, m)) {
                return true;
            }
        }
        return false;
    }

    // PEFT's get_pattern_key: the first key k with re.match(r"(.*\.)?(k)$", name).
    private static String patternKey(Map<String, ?> patterns, String moduleName) {
        for (String k : patterns.keySet()) {
            if (Pattern.compile("(.*\\.)?(" + k + ")$").matcher(moduleName).lookingAt()) {
                return k;
            }
        }
        return null;
    }

    private static boolean matchesSuffix(String name, String suffix) {
        return name.equals(suffix) || name.endsWith("." + suffix);
    }

    @Override
    public String toString() {
        return "LoraSpec{targets=" + (targetRegex != null ? "re:" + targetRegex : targetModules) + ", r=" + r
                + ", alpha=" + alpha + ", dropout=" + dropout + ", bias=" + bias.loralibName()
                + ", modulesToSave=" + modulesToSave + '}';
    }

    /** Builder with PEFT's defaults (r 8, alpha 8, no dropout, bias none). */
    public static final class Builder {
        private final List<String> targetModules = new ArrayList<>();
        private String targetRegex;
        private int r = 8;
        private float alpha = 8;
        private float dropout;
        private Bias bias = Bias.NONE;
        private final List<String> modulesToSave = new ArrayList<>();
        private final Map<String, Integer> rankPattern = new LinkedHashMap<>();
        private final Map<String, Float> alphaPattern = new LinkedHashMap<>();
        private final Map<String, boolean[]> enableLora = new LinkedHashMap<>();
        private boolean mergeWeights = true;

        public Builder targetModules(String... names) {
            for (String n : names) {
                if (n == null || n.isBlank()) {
                    throw new IllegalArgumentException("target module names must be non-empty");
                }
                targetModules.add(n);
            }
            return this;
        }

        public Builder targetRegex(String regex) {
            Pattern.compile(Objects.requireNonNull(regex, "regex"));
            this.targetRegex = regex;
            return this;
        }

        public Builder r(int r) {
            this.r = r;
            return this;
        }

        public Builder alpha(float alpha) {
            this.alpha = alpha;
            return this;
        }

        public Builder dropout(float dropout) {
            this.dropout = dropout;
            return this;
        }

        public Builder bias(Bias bias) {
            this.bias = Objects.requireNonNull(bias, "bias");
            return this;
        }

        public Builder modulesToSave(String... names) {
            modulesToSave.addAll(List.of(names));
            return this;
        }

        public Builder rankPattern(String pattern, int rank) {
            rankPattern.put(pattern, rank);
            return this;
        }

        public Builder alphaPattern(String pattern, float a) {
            alphaPattern.put(pattern, a);
            return this;
        }

        /** loralib's MergedLinear groups for targets matching {@code suffix}, e.g. c_attn → q,k,v. */
        public Builder enableLora(String suffix, boolean... groups) {
            enableLora.put(suffix, groups.clone());
            return this;
        }

        public Builder mergeWeights(boolean mergeWeights) {
            this.mergeWeights = mergeWeights;
            return this;
        }

        public LoraSpec build() {
            if (r <= 0) {
                throw new IllegalArgumentException("lora r must be > 0, got " + r);
            }
            if (targetModules.isEmpty() && targetRegex == null) {
                throw new IllegalArgumentException("lora targetModules must name at least one module");
            }
            new LoraConfig(r, alpha, dropout, mergeWeights); // validates alpha and dropout
            return new LoraSpec(this);
        }
    }
}
