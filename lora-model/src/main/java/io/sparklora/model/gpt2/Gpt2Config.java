package io.sparklora.model.gpt2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * GPT-2 sizes, as in a Hugging Face {@code config.json} (or microsoft/LoRA's {@code GPT2Config}).
 * Only the pre-LN, tied-head, {@code gelu_new} architecture of the original GPT-2 is supported.
 */
public final class Gpt2Config implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int nLayer;
    private final int nEmbd;
    private final int nHead;
    private final int vocabSize;
    private final int nPositions;
    private final int nCtx;
    private final int nInner;
    private final float layerNormEpsilon;

    private Gpt2Config(Builder b) {
        this.nLayer = positive("n_layer", b.nLayer);
        this.nEmbd = positive("n_embd", b.nEmbd);
        this.nHead = positive("n_head", b.nHead);
        this.vocabSize = positive("vocab_size", b.vocabSize);
        this.nPositions = positive("n_positions", b.nPositions);
        this.nCtx = positive("n_ctx", b.nCtx == 0 ? b.nPositions : b.nCtx);
        this.nInner = positive("n_inner", b.nInner == 0 ? 4 * b.nEmbd : b.nInner);
        if (!(b.layerNormEpsilon > 0) || Float.isInfinite(b.layerNormEpsilon)) {
            throw new IllegalArgumentException("GPT-2 config: layer_norm_epsilon must be > 0, got " + b.layerNormEpsilon);
        }
        this.layerNormEpsilon = b.layerNormEpsilon;
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException(
                    "GPT-2 config: n_embd " + nEmbd + " is not divisible by n_head " + nHead);
        }
    }

    private static int positive(String key, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException("GPT-2 config: " + key + " must be a positive integer, got " + v);
        }
        return v;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** GPT-2 small (124M): 12 layers, 768 wide, 12 heads. */
    public static Gpt2Config small() {
        return builder().nLayer(12).nEmbd(768).nHead(12).build();
    }

    /** GPT-2 medium (355M): 24 layers, 1024 wide, 16 heads (microsoft/LoRA's E2E model). */
    public static Gpt2Config medium() {
        return builder().nLayer(24).nEmbd(1024).nHead(16).build();
    }

    /** Reads a Hugging Face {@code config.json}; {@code source} names it in error messages. */
    public static Gpt2Config fromJson(InputStream in, String source) {
        Objects.requireNonNull(in, "in");
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse GPT-2 config " + source + " as JSON", e);
        }
        return fromJson(root, source);
    }

    /** Parses a Hugging Face GPT-2 config given as JSON text. */
    public static Gpt2Config fromJson(String json, String source) {
        Objects.requireNonNull(json, "json");
        try {
            return fromJson(JSON.readTree(json), source);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse GPT-2 config " + source + " as JSON", e);
        }
    }

    private static Gpt2Config fromJson(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("GPT-2 config " + source + " is not a JSON object");
        }
        String act = root.path("activation_function").asText("gelu_new");
        if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
            throw new IllegalArgumentException("GPT-2 config " + source + ": activation_function '" + act
                    + "' is not supported; expected gelu_new (the tanh approximation)");
        }
        Builder b = builder()
                .nLayer(requiredInt(root, "n_layer", source))
                .nEmbd(requiredInt(root, "n_embd", source))
                .nHead(requiredInt(root, "n_head", source))
                .vocabSize(requiredInt(root, "vocab_size", source))
                .nPositions(requiredInt(root, "n_positions", source));
        if (root.hasNonNull("n_ctx")) {
            b.nCtx(requiredInt(root, "n_ctx", source));
        }
        if (root.hasNonNull("n_inner")) {
            b.nInner(requiredInt(root, "n_inner", source));
        }
        if (root.has("layer_norm_epsilon")) {
            JsonNode eps = root.get("layer_norm_epsilon");
            if (!eps.isNumber() || !(eps.asDouble() > 0)) {
                throw new IllegalArgumentException("GPT-2 config " + source
                        + ": key 'layer_norm_epsilon' must be a positive number, got " + eps);
            }
            b.layerNormEpsilon((float) eps.asDouble());
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static int requiredInt(JsonNode root, String key, String source) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("GPT-2 config " + source + " lacks required key '" + key + "'");
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() <= 0) {
            throw new IllegalArgumentException("GPT-2 config " + source + ": key '" + key
                    + "' must be a positive integer, got " + v);
        }
        return v.asInt();
    }

    public int nLayer() {
        return nLayer;
    }

    public int nEmbd() {
        return nEmbd;
    }

    public int nHead() {
        return nHead;
    }

    public int headDim() {
        return nEmbd / nHead;
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** Rows of the position-embedding table: the longest sequence (prompt plus generated tokens). */
    public int nPositions() {
        return nPositions;
    }

    /** Side of the causal-mask buffer. */
    public int nCtx() {
        return nCtx;
    }

    /** Width of the MLP's hidden layer (4·n_embd unless the config says otherwise). */
    public int nInner() {
        return nInner;
    }

    public float layerNormEpsilon() {
        return layerNormEpsilon;
    }

    /** The longest sequence the model accepts: limited by both the position table and the mask. */
    public int maxSequenceLength() {
        return Math.min(nPositions, nCtx);
    }

    @Override
    public String toString() {
        return "Gpt2Config{n_layer=" + nLayer + ", n_embd=" + nEmbd + ", n_head=" + nHead + ", vocab_size="
                + vocabSize + ", n_positions=" + nPositions + ", n_ctx=" + nCtx + ", n_inner=" + nInner
                + ", layer_norm_epsilon=" + layerNormEpsilon + '}';
    }

    /** Builder with GPT-2 small's Hugging Face defaults. */
    public static final class Builder {
        private int nLayer = 12;
        private int nEmbd = 768;
        private int nHead = 12;
        private int vocabSize = 50257;
        private int nPositions = 1024;
        private int nCtx;
        private int nInner;
        private float layerNormEpsilon = 1e-5f;

        public Builder nLayer(int v) {
            this.nLayer = v;
            return this;
        }

        public Builder nEmbd(int v) {
            this.nEmbd = v;
            return this;
        }

        public Builder nHead(int v) {
            this.nHead = v;
            return this;
        }

        public Builder vocabSize(int v) {
            this.vocabSize = v;
            return this;
        }

        public Builder nPositions(int v) {
            this.nPositions = v;
            return this;
        }

        /** Causal-mask size; defaults to {@code n_positions}. */
        public Builder nCtx(int v) {
            this.nCtx = v;
            return this;
        }

        /** MLP width; defaults to 4·n_embd. */
        public Builder nInner(int v) {
            this.nInner = v;
            return this;
        }

        public Builder layerNormEpsilon(float v) {
            this.layerNormEpsilon = v;
            return this;
        }

        public Gpt2Config build() {
            return new Gpt2Config(this);
        }
    }
}
