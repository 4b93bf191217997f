package io.sparklora.model.bert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The architecture of a BERT or RoBERTa encoder and its sequence-classification head, as in a
 * Hugging Face {@code config.json}. One class covers both: RoBERTa differs only in its padding-offset
 * position ids, its head and its state-dict prefix ({@link ModelType}).
 */
public final class BertConfig implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Which family: decides the state-dict prefix, the position ids and the classification head. */
    public enum ModelType {
        BERT("bert"),
        ROBERTA("roberta");

        private final String hfName;

        ModelType(String hfName) {
            this.hfName = hfName;
        }

        /** The {@code model_type} of a Hugging Face config, which is also the state-dict prefix. */
        public String hfName() {
            return hfName;
        }

        public static ModelType parse(String s, String where) {
            for (ModelType t : values()) {
                if (t.hfName.equals(s)) {
                    return t;
                }
            }
            throw new IllegalArgumentException(where + ": model_type must be \"bert\" or \"roberta\", got \"" + s + "\"");
        }
    }

    /** The sequence-classification loss (Hugging Face's {@code problem_type}). */
    public enum ProblemType {
        /** Cross-entropy over {@code num_labels >= 2} classes, int64 labels. */
        SINGLE_LABEL_CLASSIFICATION("single_label_classification"),
        /** MSE of {@code logits.view(-1)} against float labels, {@code num_labels == 1} (STS-B). */
        REGRESSION("regression");

        private final String hfName;

        ProblemType(String hfName) {
            this.hfName = hfName;
        }

        public String hfName() {
            return hfName;
        }
    }

    private final ModelType modelType;
    private final int vocabSize;
    private final int hiddenSize;
    private final int numHiddenLayers;
    private final int numAttentionHeads;
    private final int intermediateSize;
    private final int maxPositionEmbeddings;
    private final int typeVocabSize;
    private final float layerNormEps;
    private final int padTokenId;
    private final float hiddenDropoutProb;
    private final float attentionProbsDropoutProb;
    private final int numLabels;
    private final Map<Integer, String> id2label;
    private final ProblemType problemType;

    private BertConfig(Builder b) {
        this.modelType = b.modelType;
        this.vocabSize = b.vocabSize;
        this.hiddenSize = b.hiddenSize;
        this.numHiddenLayers = b.numHiddenLayers;
        this.numAttentionHeads = b.numAttentionHeads;
        this.intermediateSize = b.intermediateSize;
        this.maxPositionEmbeddings = b.maxPositionEmbeddings;
        this.typeVocabSize = b.typeVocabSize;
        this.layerNormEps = b.layerNormEps;
        this.padTokenId = b.padTokenId;
        this.hiddenDropoutProb = b.hiddenDropoutProb;
        this.attentionProbsDropoutProb = b.attentionProbsDropoutProb;
        this.numLabels = b.numLabels;
        this.id2label = Collections.unmodifiableMap(new TreeMap<>(b.id2label));
        this.problemType = b.problemType != null ? b.problemType
                : b.numLabels == 1 ? ProblemType.REGRESSION : ProblemType.SINGLE_LABEL_CLASSIFICATION;
    }

    /** A builder with BERT-base (uncased) defaults. */
    public static Builder builder() {
        return new Builder(ModelType.BERT);
    }

    /** A builder with the defaults of {@code bert-base-uncased} or {@code roberta-base}. */
    public static Builder builder(ModelType type) {
        return new Builder(type);
    }

    public Builder toBuilder() {
        Builder b = new Builder(modelType);
        b.vocabSize = vocabSize;
        b.hiddenSize = hiddenSize;
        b.numHiddenLayers = numHiddenLayers;
        b.numAttentionHeads = numAttentionHeads;
        b.intermediateSize = intermediateSize;
        b.maxPositionEmbeddings = maxPositionEmbeddings;
        b.typeVocabSize = typeVocabSize;
        b.layerNormEps = layerNormEps;
        b.padTokenId = padTokenId;
        b.hiddenDropoutProb = hiddenDropoutProb;
        b.attentionProbsDropoutProb = attentionProbsDropoutProb;
        b.numLabels = numLabels;
        b.id2label.putAll(id2label);
        b.problemType = problemType;
        return b;
    }

    /** Reads a Hugging Face {@code config.json}. */
    public static BertConfig fromJson(Path file) {
        Objects.requireNonNull(file, "file");
        try (InputStream in = Files.newInputStream(file)) {
            return fromJson(in, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read BERT config " + file, e);
        }
    }

    /** Reads a Hugging Face {@code config.json} from a stream; {@code source} names it in errors. */
    public static BertConfig fromJson(InputStream in, String source) {
        Objects.requireNonNull(in, "in");
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getMessage(), e);
        }
        return fromJson(root, source);
    }

    /**
     * Reads the keys of a Hugging Face BERT/RoBERTa config. The architecture keys are required (a
     * missing one is an error naming it); dropout, labels and problem type have HF's defaults.
     */
    public static BertConfig fromJson(JsonNode root, String source) {
        Objects.requireNonNull(root, "root");
        String src = source == null ? "config" : source;
        if (!root.isObject()) {
            throw new IllegalArgumentException(src + ": expected a JSON object");
        }
        Builder b = new Builder(ModelType.parse(requiredText(root, "model_type", src), src));
        b.vocabSize = requiredInt(root, "vocab_size", src);
        b.hiddenSize = requiredInt(root, "hidden_size", src);
        b.numHiddenLayers = requiredInt(root, "num_hidden_layers", src);
        b.numAttentionHeads = requiredInt(root, "num_attention_heads", src);
        b.intermediateSize = requiredInt(root, "intermediate_size", src);
        b.maxPositionEmbeddings = requiredInt(root, "max_position_embeddings", src);
        b.typeVocabSize = requiredInt(root, "type_vocab_size", src);
        b.layerNormEps = (float) requiredNumber(root, "layer_norm_eps", src);
        b.padTokenId = requiredInt(root, "pad_token_id", src);
        String act = requiredText(root, "hidden_act", src);
        if (!act.equals("gelu")) {
            throw new IllegalArgumentException(src + ": hidden_act must be \"gelu\" (exact erf GELU), got \"" + act + "\"");
        }
        JsonNode pet = root.get("position_embedding_type");
        if (pet != null && !pet.isNull() && !pet.asText().equals("absolute")) {
            throw new IllegalArgumentException(src + ": position_embedding_type must be \"absolute\", got \"" + pet.asText() + "\"");
        }
        b.hiddenDropoutProb = (float) optionalNumber(root, "hidden_dropout_prob", 0.1, src);
        b.attentionProbsDropoutProb = (float) optionalNumber(root, "attention_probs_dropout_prob", 0.1, src);

        JsonNode id2label = root.get("id2label");
        JsonNode numLabels = root.get("num_labels");
        if (id2label != null && !id2label.isNull()) {
            if (!id2label.isObject() || id2label.size() == 0) {
                throw new IllegalArgumentException(src + ": id2label must be a non-empty object, got " + id2label);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = id2label.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                int id;
                try {
                    id = Integer.parseInt(e.getKey());
                } catch (NumberFormatException ex) {
                    throw new IllegalArgumentException(src + ": id2label key \"" + e.getKey() + "\" is not an integer");
                }
                b.id2label.put(id, e.getValue().asText());
            }
            b.numLabels = b.id2label.size();
            if (numLabels != null && !numLabels.isNull() && asInt(numLabels, "num_labels", src) != b.numLabels) {
                throw new IllegalArgumentException(src + ": num_labels " + numLabels.asText()
                        + " disagrees with id2label, which has " + b.numLabels + " entries");
            }
        } else if (numLabels != null && !numLabels.isNull()) {
            b.numLabels = asInt(numLabels, "num_labels", src);
        } else {
            b.numLabels = 2; // Hugging Face's PretrainedConfig default
        }
        JsonNode pt = root.get("problem_type");
        if (pt != null && !pt.isNull()) {
            b.problemType = parseProblemType(pt.asText(), src);
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(src + ": " + e.getMessage(), e);
        }
    }

    private static ProblemType parseProblemType(String s, String src) {
        for (ProblemType t : ProblemType.values()) {
            if (t.hfName.equals(s)) {
                return t;
            }
        }
        throw new IllegalArgumentException(src + ": problem_type must be \"single_label_classification\" or "
                + "\"regression\" (multi-label is not supported), got \"" + s + "\"");
    }

    private static JsonNode required(JsonNode root, String key, String src) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException(src + ": missing required key \"" + key + "\"");
        }
        return n;
    }

    private static String requiredText(JsonNode root, String key, String src) {
        JsonNode n = required(root, key, src);
        if (!n.isTextual()) {
            throw new IllegalArgumentException(src + ": key \"" + key + "\" must be a string, got " + n);
        }
        return n.asText();
    }

    private static int requiredInt(JsonNode root, String key, String src) {
        return asInt(required(root, key, src), key, src);
    }

    private static int asInt(JsonNode n, String key, String src) {
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException(src + ": key \"" + key + "\" must be an integer, got " + n);
        }
        return n.intValue();
    }

    private static double requiredNumber(JsonNode root, String key, String src) {
        JsonNode n = required(root, key, src);
        if (!n.isNumber()) {
            throw new IllegalArgumentException(src + ": key \"" + key + "\" must be a number, got " + n);
        }
        return n.doubleValue();
    }

    private static double optionalNumber(JsonNode root, String key, double dflt, String src) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException(src + ": key \"" + key + "\" must be a number, got " + n);
        }
        return n.doubleValue();
    }

    public ModelType modelType() {
        return modelType;
    }

    public boolean isRoberta() {
        return modelType == ModelType.ROBERTA;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int numHiddenLayers() {
        return numHiddenLayers;
    }

    public int numAttentionHeads() {
        return numAttentionHeads;
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    public int intermediateSize() {
        return intermediateSize;
    }

    public int maxPositionEmbeddings() {
        return maxPositionEmbeddings;
    }

    public int typeVocabSize() {
        return typeVocabSize;
    }

    public float layerNormEps() {
        return layerNormEps;
    }

    public int padTokenId() {
        return padTokenId;
    }

    public float hiddenDropoutProb() {
        return hiddenDropoutProb;
    }

    public float attentionProbsDropoutProb() {
        return attentionProbsDropoutProb;
    }

    public int numLabels() {
        return numLabels;
    }

    /** Label names by id (empty when the config has none). */
    public Map<Integer, String> id2label() {
        return id2label;
    }

    public ProblemType problemType() {
        return problemType;
    }

    /**
     * The longest sequence the position table allows: {@code max_position_embeddings} for BERT;
     * for RoBERTa {@code max_position_embeddings - pad_token_id - 1}, since its positions start at
     * {@code pad_token_id + 1}.
     */
    public int maxSequenceLength() {
        return isRoberta() ? maxPositionEmbeddings - padTokenId - 1 : maxPositionEmbeddings;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "BertConfig{%s, vocab=%d, hidden=%d, layers=%d, heads=%d, intermediate=%d, maxPos=%d, "
                        + "typeVocab=%d, eps=%g, pad=%d, dropout=%g/%g, numLabels=%d, problem=%s}",
                modelType.hfName, vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize,
                maxPositionEmbeddings, typeVocabSize, layerNormEps, padTokenId, hiddenDropoutProb,
                attentionProbsDropoutProb, numLabels, problemType.hfName);
    }

    /** Builds a config in code; defaults are those of bert-base-uncased or roberta-base. */
    public static final class Builder {
        private final ModelType modelType;
        private int vocabSize;
        private int hiddenSize = 768;
        private int numHiddenLayers = 12;
        private int numAttentionHeads = 12;
        private int intermediateSize = 3072;
        private int maxPositionEmbeddings;
        private int typeVocabSize;
        private float layerNormEps;
        private int padTokenId;
        private float hiddenDropoutProb = 0.1f;
        private float attentionProbsDropoutProb = 0.1f;
        private int numLabels = 2;
        private final Map<Integer, String> id2label = new TreeMap<>();
        private ProblemType problemType;

        private Builder(ModelType type) {
            this.modelType = Objects.requireNonNull(type, "type");
            if (type == ModelType.BERT) {
                vocabSize = 30522;
                maxPositionEmbeddings = 512;
                typeVocabSize = 2;
                layerNormEps = 1e-12f;
                padTokenId = 0;
            } else {
                vocabSize = 50265;
                maxPositionEmbeddings = 514;
                typeVocabSize = 1;
                layerNormEps = 1e-5f;
                padTokenId = 1;
            }
        }

        public Builder vocabSize(int v) {
            this.vocabSize = v;
            return this;
        }

        public Builder hiddenSize(int v) {
            this.hiddenSize = v;
            return this;
        }

        public Builder numHiddenLayers(int v) {
            this.numHiddenLayers = v;
            return this;
        }

        public Builder numAttentionHeads(int v) {
            this.numAttentionHeads = v;
            return this;
        }

        public Builder intermediateSize(int v) {
            this.intermediateSize = v;
            return this;
        }

        public Builder maxPositionEmbeddings(int v) {
            this.maxPositionEmbeddings = v;
            return this;
        }

        public Builder typeVocabSize(int v) {
            this.typeVocabSize = v;
            return this;
        }

        public Builder layerNormEps(float v) {
            this.layerNormEps = v;
            return this;
        }

        public Builder padTokenId(int v) {
            this.padTokenId = v;
            return this;
        }

        public Builder hiddenDropoutProb(float v) {
            this.hiddenDropoutProb = v;
            return this;
        }

        public Builder attentionProbsDropoutProb(float v) {
            this.attentionProbsDropoutProb = v;
            return this;
        }

        /** The number of outputs of the head; clears any id2label of a different size. */
        public Builder numLabels(int v) {
            this.numLabels = v;
            if (id2label.size() != v) {
                id2label.clear();
            }
            return this;
        }

        /** Label names; also sets numLabels to their count. */
        public Builder id2label(Map<Integer, String> labels) {
            id2label.clear();
            id2label.putAll(labels);
            numLabels = labels.size();
            return this;
        }

        /** null derives it from numLabels (1 = regression). */
        public Builder problemType(ProblemType t) {
            this.problemType = t;
            return this;
        }

        public BertConfig build() {
            positive("vocab_size", vocabSize);
            positive("hidden_size", hiddenSize);
            positive("num_hidden_layers", numHiddenLayers);
            positive("num_attention_heads", numAttentionHeads);
            positive("intermediate_size", intermediateSize);
            positive("max_position_embeddings", maxPositionEmbeddings);
            positive("type_vocab_size", typeVocabSize);
            positive("num_labels", numLabels);
            if (hiddenSize % numAttentionHeads != 0) {
                throw new IllegalArgumentException("hidden_size " + hiddenSize
                        + " is not a multiple of num_attention_heads " + numAttentionHeads);
            }
            if (!(layerNormEps > 0) || !Float.isFinite(layerNormEps)) {
                throw new IllegalArgumentException("layer_norm_eps must be > 0, got " + layerNormEps);
            }
            if (padTokenId < 0 || padTokenId >= vocabSize) {
                throw new IllegalArgumentException("pad_token_id must be in [0, vocab_size " + vocabSize
                        + "), got " + padTokenId);
            }
            if (modelType == ModelType.ROBERTA && padTokenId + 2 > maxPositionEmbeddings) {
                throw new IllegalArgumentException("RoBERTa positions start at pad_token_id + 1 = " + (padTokenId + 1)
                        + ", which max_position_embeddings " + maxPositionEmbeddings + " does not leave room for");
            }
            dropout("hidden_dropout_prob", hiddenDropoutProb);
            dropout("attention_probs_dropout_prob", attentionProbsDropoutProb);
            for (int id : id2label.keySet()) {
                if (id < 0 || id >= numLabels) {
                    throw new IllegalArgumentException("id2label ids must be 0.." + (numLabels - 1) + ", got " + id);
                }
            }
            if (problemType == ProblemType.REGRESSION && numLabels != 1) {
                throw new IllegalArgumentException("problem_type regression needs num_labels 1, got " + numLabels);
            }
            if (problemType == ProblemType.SINGLE_LABEL_CLASSIFICATION && numLabels < 2) {
                throw new IllegalArgumentException(
                        "problem_type single_label_classification needs num_labels >= 2, got " + numLabels);
            }
            return new BertConfig(this);
        }

        private static void positive(String key, int v) {
            if (v <= 0) {
                throw new IllegalArgumentException(key + " must be > 0, got " + v);
            }
        }

        private static void dropout(String key, float p) {
            if (!(p >= 0f && p < 1f)) {
                throw new IllegalArgumentException(key + " must be in [0, 1), got " + p);
            }
        }
    }
}
