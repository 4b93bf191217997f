package io.sparklora.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.nn.Embedding;
import io.sparklora.model.nn.LayerNorm;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.Ops;

/**
 * {@code embeddings}: {@code LayerNorm(word[ids] + token_type[types] + position[pos])}, then dropout.
 * BERT numbers positions 0..T-1; RoBERTa numbers real tokens from {@code pad + 1} and gives padding
 * the position {@code pad}. The {@code position_ids} buffer exists only so that checkpoints holding
 * it (transformers 4.4.2 stores it) load strictly.
 */
public final class BertEmbeddings extends Module {
    private final BertConfig config;

    public BertEmbeddings(NDManager manager, BertConfig config) {
        super(manager);
        this.config = config;
        registerChild("word_embeddings", new Embedding(manager, config.vocabSize(), config.hiddenSize()));
        registerChild("position_embeddings",
                new Embedding(manager, config.maxPositionEmbeddings(), config.hiddenSize()));
        registerChild("token_type_embeddings", new Embedding(manager, config.typeVocabSize(), config.hiddenSize()));
        registerChild("LayerNorm", new LayerNorm(manager, config.hiddenSize(), config.layerNormEps()));
        registerBuffer("position_ids",
                manager.arange(0, config.maxPositionEmbeddings(), 1, DataType.INT64).reshape(1, -1));
    }

    public Embedding wordEmbeddings() {
        return (Embedding) children().get("word_embeddings");
    }

    public NDArray forward(BertInputs in) {
        NDArray ids = in.inputIds();
        checkRange("input_ids", ids, config.vocabSize());
        NDArray types = in.tokenTypeIds();
        if (types == null) {
            types = ids.getManager().zeros(ids.getShape(), DataType.INT64);
        } else {
            checkRange("token_type_ids", types, config.typeVocabSize());
        }
        NDArray positions = positionIds(ids, config);
        NDArray x = wordEmbeddings().forward(ids);
        x = x.add(((Embedding) children().get("token_type_embeddings")).forward(types));
        x = x.add(((Embedding) children().get("position_embeddings")).forward(positions));
        x = ((LayerNorm) children().get("LayerNorm")).forward(x);
        return Ops.dropout(x, config.hiddenDropoutProb(), isTraining());
    }

    /**
     * The position ids the model uses for {@code ids [B, T]}, as int64 {@code [B, T]} in the manager of
     * {@code ids}: BERT 0..T-1 per row; RoBERTa {@code cumsum(ids != pad) * (ids != pad) + pad}.
     *
     * @throws IllegalArgumentException when T exceeds what the position table holds
     */
    public static NDArray positionIds(NDArray ids, BertConfig config) {
        Shape s = ids.getShape();
        long t = s.get(s.dimension() - 1);
        if (t > config.maxSequenceLength()) {
            throw new IllegalArgumentException("sequence length " + t + " exceeds the " + config.maxSequenceLength()
                    + " positions of this " + config.modelType().hfName() + " model (max_position_embeddings "
                    + config.maxPositionEmbeddings() + ")");
        }
        if (config.isRoberta()) {
            NDArray notPad = ids.neq(config.padTokenId()).toType(DataType.INT64, false);
            return notPad.cumSum(s.dimension() - 1).mul(notPad).add(config.padTokenId());
        }
        return ids.getManager().arange(0, (int) t, 1, DataType.INT64).broadcast(s);
    }

    private static void checkRange(String what, NDArray ids, int size) {
        long min = ids.min().getLong();
        long max = ids.max().getLong();
        if (min < 0 || max >= size) {
            throw new IllegalArgumentException(what + " must lie in [0, " + size + "), found values in ["
                    + min + ", " + max + "]");
        }
    }
}
