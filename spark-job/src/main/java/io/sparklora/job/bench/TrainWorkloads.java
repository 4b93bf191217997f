package io.sparklora.job.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.job.dist.FrozenWeights;
import io.sparklora.job.dist.TorchThread;
import io.sparklora.model.bert.BertConfig;
import io.sparklora.model.bert.BertForSequenceClassification;
import io.sparklora.model.gpt2.Gpt2Config;
import io.sparklora.model.gpt2.Gpt2LMHeadModel;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.nn.Param;
import io.sparklora.model.task.Example;
import io.sparklora.model.task.ModelSpec;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/** Builds the training workloads of bench-common.md at their real shapes, or smaller ones for tests. */
public final class TrainWorkloads {
    public static final String GPT2_TRAIN = "gpt2-train";
    public static final String BERT_TRAIN = "bert-train";
    /** Ablation: bert-train with the last layer computed for every position (Hugging Face's way). */
    public static final String BERT_TRAIN_FULL = "bert-train-full-last-layer";

    private TrainWorkloads() {}

    /** GPT-2 sizes and the batch. */
    public record Gpt2Shape(int layers, int embd, int heads, int vocab, int positions, int batch, int seq) {
        /** GPT-2 small, 8 x 128 tokens. */
        public static Gpt2Shape small() {
            return new Gpt2Shape(12, 768, 12, 50257, 1024, 8, 128);
        }

        public String configJson() {
            return String.format(Locale.ROOT, "{\"model_type\":\"gpt2\",\"n_layer\":%d,\"n_embd\":%d,\"n_head\":%d,"
                    + "\"vocab_size\":%d,\"n_positions\":%d,\"n_ctx\":%d,\"layer_norm_epsilon\":1e-5,"
                    + "\"activation_function\":\"gelu_new\",\"embd_pdrop\":0.0,\"attn_pdrop\":0.0,"
                    + "\"resid_pdrop\":0.0}", layers, embd, heads, vocab, positions, positions);
        }
    }

    /** BERT sizes and the batch. */
    public record BertShape(int layers, int hidden, int heads, int intermediate, int vocab, int positions, int batch,
                            int seq) {
        /** BERT-base, 32 x 128 tokens. */
        public static BertShape base() {
            return new BertShape(12, 768, 12, 3072, 30522, 512, 32, 128);
        }

        public String configJson() {
            return String.format(Locale.ROOT, "{\"model_type\":\"bert\",\"vocab_size\":%d,\"hidden_size\":%d,"
                    + "\"num_hidden_layers\":%d,\"num_attention_heads\":%d,\"intermediate_size\":%d,"
                    + "\"max_position_embeddings\":%d,\"type_vocab_size\":2,\"layer_norm_eps\":1e-12,"
                    + "\"pad_token_id\":0,\"hidden_act\":\"gelu\",\"hidden_dropout_prob\":0.0,"
                    + "\"attention_probs_dropout_prob\":0.0,\"num_labels\":2}",
                    vocab, hidden, layers, heads, intermediate, positions);
        }
    }

    /** A workload by its bench name at the real shape. */
    public static TrainWorkload byName(String name, long seed) {
        switch (name) {
            case GPT2_TRAIN:
                return gpt2(Gpt2Shape.small(), seed);
            case BERT_TRAIN:
                return bert(BertShape.base(), seed);
            case BERT_TRAIN_FULL: {
                TrainWorkload w = bert(BertShape.base(), seed);
                return new TrainWorkload(BERT_TRAIN_FULL, w.spec(), w.base(), w.examples(), w.tokensPerStep(), seed);
            }
            default:
                throw new IllegalArgumentException("unknown training workload '" + name + "'; expected "
                        + GPT2_TRAIN + ", " + BERT_TRAIN + " or " + BERT_TRAIN_FULL);
        }
    }

    /**
     * microsoft/LoRA's E2E adapter: c_attn as a MergedLinear on q and v, r 4, alpha 32, dropout 0.
     * Every position is a target: input ids t_0..t_{T-1}, labels t_1..t_{T-1} and an ignored last
     * position, i.e. Hugging Face's {@code labels=input_ids} after its shift.
     */
    public static TrainWorkload gpt2(Gpt2Shape shape, long seed) {
        String config = shape.configJson();
        ModelSpec spec = new ModelSpec(ModelSpec.Family.GPT2, config, LoraSpec.builder().targetModules("c_attn")
                .enableLora("c_attn", true, false, true).r(4).alpha(32f).dropout(0f).build(), 0, 0f);
        FrozenWeights base = gpt2Weights(config, (int) seed);
        Random rnd = new Random(seed * 7919 + 1);
        List<Example> data = new ArrayList<>();
        for (int i = 0; i < shape.batch(); i++) {
            int[] ids = new int[shape.seq()];
            for (int j = 0; j < ids.length; j++) {
                ids[j] = rnd.nextInt(shape.vocab());
            }
            int[] labels = new int[ids.length];
            for (int j = 0; j < ids.length; j++) {
                labels[j] = j + 1 < ids.length ? ids[j + 1] : -1;
            }
            data.add(new Example(i, "gpt2-" + i, ids, null, -1, Float.NaN, labels));
        }
        return new TrainWorkload(GPT2_TRAIN, spec, base, data, (long) shape.batch() * shape.seq(), seed);
    }

    /** LoRA r 8, alpha 16 on query and value; pooler and classifier trained in full; 2 labels. */
    public static TrainWorkload bert(BertShape shape, long seed) {
        String config = shape.configJson();
        ModelSpec spec = new ModelSpec(ModelSpec.Family.BERT, config, LoraSpec.builder().targetModules("query", "value")
                .r(8).alpha(16f).dropout(0f).modulesToSave("classifier", "pooler").build(), 2, 0f);
        FrozenWeights base = bertWeights(config, (int) seed);
        Random rnd = new Random(seed * 7919 + 2);
        List<Example> data = new ArrayList<>();
        for (int i = 0; i < shape.batch(); i++) {
            int[] ids = new int[shape.seq()];
            for (int j = 0; j < ids.length; j++) {
                ids[j] = 1 + rnd.nextInt(shape.vocab() - 1);
            }
            data.add(new Example(i, "bert-" + i, ids, new int[ids.length], rnd.nextInt(2), Float.NaN, null));
        }
        return new TrainWorkload(BERT_TRAIN, spec, base, data, (long) shape.batch() * shape.seq(), seed);
    }

    /** GPT-2's own random initialisation (N(0, 0.02) weights), copied to the heap with Hugging Face names. */
    static FrozenWeights gpt2Weights(String configJson, int seed) {
        return TorchThread.call(() -> {
            Engine.getInstance().setRandomSeed(seed);
            FrozenWeights w = new FrozenWeights();
            try (NDManager m = NDManager.newBaseManager()) {
                Gpt2LMHeadModel model = Gpt2LMHeadModel.build(Gpt2Config.fromJson(configJson, "bench config"), m);
                copy(model.namedParameters(), w, null);
            }
            return w;
        });
    }

    /** The encoder of a randomly initialised BERT classifier: a pretrained checkpoint's tensors, no classifier. */
    static FrozenWeights bertWeights(String configJson, int seed) {
        return TorchThread.call(() -> {
            Engine.getInstance().setRandomSeed(seed);
            FrozenWeights w = new FrozenWeights();
            try (NDManager m = NDManager.newBaseManager()) {
                BertConfig cfg = BertConfig.fromJson(
                        new ByteArrayInputStream(configJson.getBytes(StandardCharsets.UTF_8)), "bench config");
                copy(new BertForSequenceClassification(m, cfg).namedParameters(), w, "classifier.");
            }
            return w;
        });
    }

    private static void copy(Map<String, Param> params, FrozenWeights into, String skipPrefix) {
        for (Map.Entry<String, Param> e : params.entrySet()) {
            if (skipPrefix == null || !e.getKey().startsWith(skipPrefix)) {
                NDArray a = e.getValue().array();
                into.put(e.getKey(), a.getShape().getShape(), a.toFloatArray());
            }
        }
    }
}
