package io.sparklora.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.sparklora.model.nn.Module;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The BERT/RoBERTa encoder with Hugging Face's names below its prefix: {@code embeddings.*},
 * {@code encoder.layer.N.*} and, when built with a pooler, {@code pooler.dense.*}.
 */
public final class BertModel extends Module {
    private final BertConfig config;
    private final boolean pooler;

    /** What the encoder computed for a batch; arrays belong to the manager of the input ids. */
    public record Output(NDArray lastHiddenState, NDArray pooledOutput, List<NDArray> hiddenStates) {
        /** {@code tanh(pooler.dense(h[:, 0]))}, or null when the model has no pooler. */
        @Override
        public NDArray pooledOutput() {
            return pooledOutput;
        }

        /** Embeddings output first, then the output of each layer. */
        @Override
        public List<NDArray> hiddenStates() {
            return hiddenStates;
        }
    }

    public BertModel(NDManager manager, BertConfig config, boolean addPoolingLayer) {
        super(manager);
        this.config = Objects.requireNonNull(config, "config");
        this.pooler = addPoolingLayer;
        registerChild("embeddings", new BertEmbeddings(manager, config));
        registerChild("encoder", new Encoder(manager, config));
        if (addPoolingLayer) {
            registerChild("pooler", new Pooler(manager, config.hiddenSize()));
        }
    }

    public BertConfig config() {
        return config;
    }

    public boolean hasPooler() {
        return pooler;
    }

    public BertEmbeddings embeddings() {
        return (BertEmbeddings) children().get("embeddings");
    }

    public Output forward(BertInputs in) {
        return forward(in, false);
    }

    /**
     * @param firstTokenOnly compute the last layer for the first position only (its last hidden state
     *                       is then {@code [B, 1, H]}): all a classification head reads, and about a
     *                       twelfth less work for BERT-base
     */
    public Output forward(BertInputs in, boolean firstTokenOnly) {
        Objects.requireNonNull(in, "in");
        NDArray mask = in.attentionMask() == null ? null : extendedAttentionMask(in.attentionMask());
        NDArray h = embeddings().forward(in);
        List<NDArray> states = new ArrayList<>(config.numHiddenLayers() + 1);
        states.add(h);
        Module layers = children().get("encoder").children().get("layer");
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            boolean last = i == config.numHiddenLayers() - 1;
            h = ((BertLayer) layers.children().get(Integer.toString(i))).forward(h, mask, firstTokenOnly && last);
            states.add(h);
        }
        NDArray pooled = pooler ? ((Pooler) children().get("pooler")).forward(h) : null;
        return new Output(h, pooled, Collections.unmodifiableList(states));
    }

    /**
     * transformers 4.4.2's additive mask {@code (1 - mask[:, None, None, :]) * -10000.0}, float32
     * {@code [B, 1, 1, T]}, in the manager of {@code attentionMask}.
     */
    public static NDArray extendedAttentionMask(NDArray attentionMask) {
        if (attentionMask.getShape().dimension() != 2) {
            throw new IllegalArgumentException("attention_mask must be [batch, seq], got " + attentionMask.getShape());
        }
        long b = attentionMask.getShape().get(0);
        long t = attentionMask.getShape().get(1);
        NDArray m = attentionMask.toType(DataType.FLOAT32, false).reshape(b, 1, 1, t);
        return m.neg().add(1f).mul(-10000f);
    }

    /** {@code encoder}: holds {@code layer.0 .. layer.N-1}. */
    public static final class Encoder extends Module {
        Encoder(NDManager manager, BertConfig c) {
            super(manager);
            LayerList list = registerChild("layer", new LayerList(manager));
            for (int i = 0; i < c.numHiddenLayers(); i++) {
                list.add(new BertLayer(manager, c));
            }
        }
    }

    /** A {@code torch.nn.ModuleList}: children named 0, 1, ... */
    public static final class LayerList extends Module {
        private int size;

        LayerList(NDManager manager) {
            super(manager);
        }

        void add(Module m) {
            registerChild(Integer.toString(size++), m);
        }

        public int size() {
            return size;
        }
    }

    /** {@code pooler}: {@code tanh(dense(h[:, 0]))}. */
    public static final class Pooler extends Module {
        Pooler(NDManager manager, int hidden) {
            super(manager);
            registerChild("dense", new io.sparklora.model.nn.Linear(manager, hidden, hidden, true));
        }

        public NDArray forward(NDArray hidden) {
            return Layers.linear(this, "dense").forward(hidden.get(new NDIndex(":, 0"))).tanh();
        }
    }
}
