package io.sparklora.data.tokenize;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One tokenizer per JVM (executor) and spec, built lazily on first use and shared by every task and
 * row there. Hugging Face tokenizers are thread-safe for encoding, so concurrent tasks may share one.
 * Entries live as long as the JVM; there are only ever a handful.
 */
public final class TokenizerCache {

    private static final ConcurrentMap<String, TextTokenizer> CACHE = new ConcurrentHashMap<>();

    private TokenizerCache() {}

    /** The cached tokenizer for {@code spec} truncating at {@code maxLength} (0 = no truncation). */
    public static TextTokenizer get(TokenizerSpec spec, int maxLength) {
        return CACHE.computeIfAbsent(spec.key() + "@" + maxLength, k -> new TextTokenizer(spec, maxLength));
    }

    /** How many tokenizers this JVM has built (for tests that check reuse). */
    public static int size() {
        return CACHE.size();
    }
}
