package io.sparklora.data.tokenize;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One tokenizer per JVM (executor) and spec, built lazily on first use and shared by every task and
 * row there. Hugging Face tokenizers are thread-safe for encoding, so concurrent tasks may share one.
 * Entries live as long as the JVM; there are only ever a handful.
 */
public final class TokenizerCache {

    private static final ConcurrentMap<String, TextTokenizer> CACHE = new ConcurrentHashMap<>();
    private static final AtomicInteger BUILDS = new AtomicInteger();

    private TokenizerCache() {}

    /** The cached tokenizer for {@code spec} truncating at {@code maxLength} (0 = no truncation). */
    public static TextTokenizer get(TokenizerSpec spec, int maxLength) {
        return CACHE.computeIfAbsent(spec.key() + "@" + maxLength, k -> {
            BUILDS.incrementAndGet();
            return new TextTokenizer(spec, maxLength);
        });
    }

    /** How many tokenizers this JVM has built so far (lets tests check that rows share one). */
    public static int builds() {
        return BUILDS.get();
    }
}
