package io.sparklora.data.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A thin, thread-safe wrapper over DJL's {@link HuggingFaceTokenizer} (Hugging Face's Rust tokenizers)
 * with the project's conventions: no padding (the batcher pads), truncation longest-first for pairs when
 * {@code maxLength > 0}, ids as {@code int[]}.
 *
 * <p>Two native handles are kept: one truncating to {@code maxLength} with special tokens (for
 * classification inputs), one that never truncates (for raw pieces such as LM context and completion).
 */
public final class TextTokenizer implements AutoCloseable {

    /** GPT-2's {@code <|endoftext|>}, used by microsoft/LoRA as both BOS and EOS. */
    public static final int GPT2_EOS_ID = 50256;

    static {
        // DJL's HuggingFaceTokenizer.newInstance "calls home" (EC2 metadata + telemetry) unless opted out or
        // offline; executors started by spark-submit may lack -Dai.djl.offline, and must not try the network.
        if (System.getProperty("OPT_OUT_TRACKING") == null && System.getenv("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    private final TokenizerKind kind;
    private final int maxLength;
    private final HuggingFaceTokenizer truncating;
    private final HuggingFaceTokenizer raw;

    TextTokenizer(TokenizerSpec spec, int maxLength) {
        if (maxLength < 0) {
            throw new IllegalArgumentException("maxLength must be >= 0 (0 = no truncation), got " + maxLength);
        }
        this.kind = spec.kind();
        this.maxLength = maxLength;
        this.raw = create(spec, 0);
        this.truncating = maxLength > 0 ? create(spec, maxLength) : raw;
    }

    private static HuggingFaceTokenizer create(TokenizerSpec spec, int maxLength) {
        Map<String, String> options = new HashMap<>();
        options.put("addSpecialTokens", "true");
        options.put("padding", "false");
        if (maxLength > 0) {
            options.put("truncation", "longest_first");
            options.put("maxLength", Integer.toString(maxLength));
            options.put("modelMaxLength", Integer.toString(maxLength));
        } else {
            options.put("truncation", "false");
        }
        try {
            return HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(spec.tokenizerJson().getBytes(StandardCharsets.UTF_8)), options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer " + spec, e);
        }
    }

    public TokenizerKind kind() {
        return kind;
    }

    /** The truncation length of {@link #encode(String)} / {@link #encodePair}; 0 = none. */
    public int maxLength() {
        return maxLength;
    }

    /** One sequence with the model's special tokens, truncated to {@link #maxLength()}. */
    public Encoded encode(String text) {
        requireText(text, "text");
        long untruncated = maxLength > 0 ? raw.encode(text, true, false).getIds().length : -1;
        Encoding e = truncating.encode(text, true, false);
        return toEncoded(e, untruncated > e.getIds().length);
    }

    /** A sentence pair with the model's pair template, truncated longest-first to {@link #maxLength()}. */
    public Encoded encodePair(String textA, String textB) {
        requireText(textA, "textA");
        requireText(textB, "textB");
        long untruncated = maxLength > 0 ? raw.encode(textA, textB, true, false).getIds().length : -1;
        Encoding e = truncating.encode(textA, textB, true, false);
        return toEncoded(e, untruncated > e.getIds().length);
    }

    /** Token ids of {@code text} alone: no special tokens, no truncation. */
    public int[] encodeIds(String text) {
        requireText(text, "text");
        return toInts(raw.encode(text, false, false).getIds());
    }

    /** Token strings of {@code text} alone (no special tokens, no truncation). */
    public List<String> tokens(String text) {
        requireText(text, "text");
        return Arrays.asList(raw.encode(text, false, false).getTokens());
    }

    /** Decodes ids; {@code skipSpecialTokens} drops [CLS]/[SEP]/&lt;s&gt;/&lt;|endoftext|&gt; and the like. */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return raw.decode(l, skipSpecialTokens);
    }

    private Encoded toEncoded(Encoding e, boolean truncated) {
        int[] ids = toInts(e.getIds());
        int[] types = kind.usesTokenTypes() ? toInts(e.getTypeIds()) : null;
        return new Encoded(ids, types, truncated);
    }

    private static int[] toInts(long[] a) {
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = Math.toIntExact(a[i]);
        }
        return r;
    }

    private static void requireText(String text, String name) {
        if (text == null) {
            throw new IllegalArgumentException(name + " is null");
        }
    }

    @Override
    public void close() {
        if (truncating != raw) {
            truncating.close();
        }
        raw.close();
    }
}
