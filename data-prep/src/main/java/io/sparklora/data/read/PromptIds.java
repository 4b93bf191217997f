package io.sparklora.data.read;

import java.util.HashMap;
import java.util.Map;

/** Numbers distinct contexts of one file in first-appearance order (for multi-reference grouping). */
final class PromptIds {
    private final Map<String, Long> ids = new HashMap<>();

    long of(String context) {
        return ids.computeIfAbsent(context, k -> (long) ids.size());
    }
}
