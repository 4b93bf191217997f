package io.sparklora.job.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code RESULT} record of bench-common.md: the fixed keys first, then workload-specific extras
 * (kept in insertion order so lines of the same workload line up).
 */
public final class BenchResult {
    private final LinkedHashMap<String, Object> fields = new LinkedHashMap<>();

    public BenchResult(String impl, String workload, int threads, StepStats stats, double tokensPerSecond) {
        if (impl == null || impl.isBlank() || impl.contains(" ") || workload == null || workload.isBlank()) {
            throw new IllegalArgumentException("a result needs an impl and a workload without spaces, got '" + impl
                    + "' / '" + workload + "'");
        }
        fields.put("impl", impl);
        fields.put("workload", workload);
        fields.put("threads", threads);
        fields.put("runs", stats.runs());
        fields.put("median_s", stats.medianS());
        fields.put("min_s", stats.minS());
        fields.put("max_s", stats.maxS());
        fields.put("tokens_per_s", tokensPerSecond);
    }

    /** Adds an extra {@code key=value}; values must not contain spaces (the line is split on them). */
    public BenchResult put(String key, Object value) {
        if (key == null || !key.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("result key must be lower_snake_case, got '" + key + "'");
        }
        if (value instanceof String s && (s.isEmpty() || s.contains(" "))) {
            throw new IllegalArgumentException("result value of " + key + " must be one non-empty word, got '" + s + "'");
        }
        fields.put(key, value);
        return this;
    }

    public Map<String, Object> fields() {
        return java.util.Collections.unmodifiableMap(fields);
    }

    public Object get(String key) {
        return fields.get(key);
    }

    /** {@code RESULT impl=... workload=... threads=... runs=... median_s=... ...}. */
    public String line() {
        StringBuilder sb = new StringBuilder("RESULT");
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            sb.append(' ').append(e.getKey()).append('=').append(format(e.getValue()));
        }
        return sb.toString();
    }

    static String format(Object v) {
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return String.format(Locale.ROOT, "%.1f", d);
            }
            return String.format(Locale.ROOT, "%.6g", d).trim();
        }
        return String.valueOf(v);
    }
}
