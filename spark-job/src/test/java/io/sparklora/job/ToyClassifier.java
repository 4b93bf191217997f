package io.sparklora.job;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sparklora.job.dist.FrozenWeights;
import io.sparklora.job.dist.TaskModelFactory;
import io.sparklora.model.lora.LoraInjector;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.nn.Embedding;
import io.sparklora.model.nn.Linear;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.TensorSource;
import io.sparklora.model.task.Batch;
import io.sparklora.model.task.Example;
import io.sparklora.model.task.LossSum;
import io.sparklora.model.task.TaskModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A tiny classifier (frozen embedding, LoRA projection, trained head) for trainer tests. */
public final class ToyClassifier extends Module implements TaskModel {
    final Embedding emb;

    ToyClassifier(NDManager m, int vocab, int dim, int classes) {
        super(m);
        emb = registerChild("emb", new Embedding(m, vocab, dim));
        registerChild("proj", new Linear(m, dim, dim, true));
        registerChild("head", new Linear(m, dim, classes, true));
    }

    @Override
    public Module module() {
        return this;
    }

    private NDArray logits(Batch b) {
        NDArray mask = b.attentionMask.toType(DataType.FLOAT32, false).expandDims(-1);
        NDArray pooled = emb.forward(b.inputIds).mul(mask).sum(new int[] {1}).div(mask.sum(new int[] {1}));
        NDArray h = ((Linear) module("proj")).forward(pooled).tanh();
        return ((Linear) module("head")).forward(h);
    }

    @Override
    public LossSum loss(Batch b) {
        NDArray logits = logits(b);
        NDArray nll = logits.logSoftmax(-1).mul(b.labels.oneHot((int) logits.getShape().get(1))).sum().neg();
        return new LossSum(nll, b.size);
    }

    @Override
    public NDArray predict(Batch b) {
        return logits(b);
    }

    @Override
    public int padId() {
        return 0;
    }

    /** Factory with the embedding as the only base tensor (proj and head start from a fixed seed). */
    public static final class Factory implements TaskModelFactory {
        private static final long serialVersionUID = 1L;
        final int vocab;
        final int dim;
        final int classes;
        final int r;

        public Factory(int vocab, int dim, int classes, int r) {
            this.vocab = vocab;
            this.dim = dim;
            this.classes = classes;
            this.r = r;
        }

        @Override
        public TaskModel build(TensorSource base, NDManager manager) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(7);
            ToyClassifier model = new ToyClassifier(manager, vocab, dim, classes);
            model.loadStateDict(base, false);
            LoraInjector.inject(model, LoraSpec.builder().targetModules("proj").r(r).alpha(2f * r)
                    .modulesToSave("head").mergeWeights(false).build());
            // B starts at zero; make it non-zero so A gets gradients from the first step.
            model.namedParameters().get("proj.lora_B").load("proj.lora_B",
                    manager.randomNormal(0, 0.1f, model.namedParameters().get("proj.lora_B").shape(), DataType.FLOAT32));
            return model;
        }

        @Override
        public String key() {
            return "toy-" + vocab + "-" + dim + "-" + classes + "-" + r;
        }
    }

    /** Base weights: the embedding and proj (frozen), seeded. */
    public static FrozenWeights baseWeights(int vocab, int dim, long seed) {
        Random rnd = new Random(seed);
        FrozenWeights w = new FrozenWeights();
        float[] e = new float[vocab * dim];
        for (int i = 0; i < e.length; i++) {
            e[i] = (float) rnd.nextGaussian();
        }
        w.put("emb.weight", new long[] {vocab, dim}, e);
        float[] p = new float[dim * dim];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (rnd.nextGaussian() / Math.sqrt(dim));
        }
        w.put("proj.weight", new long[] {dim, dim}, p);
        return w;
    }

    /** Examples whose class is decided by which half of the vocabulary dominates. */
    public static List<Example> examples(int n, int vocab, long seed) {
        Random rnd = new Random(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 3 + rnd.nextInt(8);
            int label = rnd.nextInt(2);
            int[] ids = new int[len];
            for (int j = 0; j < len; j++) {
                int half = rnd.nextDouble() < 0.8 ? label : 1 - label;
                ids[j] = 1 + half * (vocab / 2 - 1) + rnd.nextInt(vocab / 2 - 1);
            }
            out.add(new Example(i, "ex" + i, ids, null, label, Float.NaN, null));
        }
        return out;
    }
}
