package io.sparklora.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.Embedding}: weight {@code [num, dim]} initialised N(0, 1). */
public class Embedding extends Module {
    protected final int numEmbeddings;
    protected final int embeddingDim;
    protected final Param weight;

    public Embedding(NDManager manager, int numEmbeddings, int embeddingDim) {
        super(manager);
        if (numEmbeddings <= 0 || embeddingDim <= 0) {
            throw new IllegalArgumentException(
                    "num_embeddings and embedding_dim must be positive, got "
                            + numEmbeddings + " and " + embeddingDim);
        }
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.weight = registerParam(
                "weight", ParamInit.normal(manager, 0f, 1f, new Shape(numEmbeddings, embeddingDim)), true);
    }

    public Param weight() {
        return weight;
    }

    public int numEmbeddings() {
        return numEmbeddings;
    }

    public int embeddingDim() {
        return embeddingDim;
    }

    public NDArray forward(NDArray ids) {
        return Ops.embedding(ids, weight.array());
    }
}
