package io.sparklora.job;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.job.dist.FrozenWeights;
import io.sparklora.model.gpt2.Gpt2Config;
import io.sparklora.model.gpt2.Gpt2LMHeadModel;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.nn.Param;
import io.sparklora.model.task.Example;
import io.sparklora.model.task.ModelSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Tiny random models and data for the distributed tests. */
public final class TinyModels {
    private TinyModels() {}

    public static String gpt2ConfigJson(int layers, int embd, int vocab) {
        return "{\"model_type\":\"gpt2\",\"n_layer\":" + layers + ",\"n_embd\":" + embd + ",\"n_head\":4,\"vocab_size\":"
                + vocab + ",\"n_positions\":64,\"n_ctx\":64,\"layer_norm_epsilon\":1e-5}";
    }

    /** Random GPT-2 base weights with Hugging Face names (seeded). */
    public static FrozenWeights gpt2Weights(String configJson, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        FrozenWeights w = new FrozenWeights();
        try (NDManager m = NDManager.newBaseManager()) {
            Gpt2LMHeadModel model = Gpt2LMHeadModel.build(Gpt2Config.fromJson(configJson, "test"), m);
            for (Map.Entry<String, Param> e : model.namedParameters().entrySet()) {
                NDArray a = e.getValue().array();
                w.put(e.getKey(), a.getShape().getShape(), a.toFloatArray());
            }
        }
        return w;
    }

    /** Writes a tiny GPT-2 (vocab 50257, 2 layers, 16 wide) as a Hugging Face directory; returns its path. */
    public static String writeTinyGpt2(java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Files.createDirectories(dir);
        String config = "{\"model_type\":\"gpt2\",\"n_layer\":2,\"n_embd\":16,\"n_head\":2,\"vocab_size\":50257,"
                + "\"n_positions\":128,\"n_ctx\":128,\"layer_norm_epsilon\":1e-5}";
        java.nio.file.Files.writeString(dir.resolve("config.json"), config, java.nio.charset.StandardCharsets.UTF_8);
        writeSafetensors(gpt2Weights(config, 3), dir);
        return dir.toString();
    }

    /** Writes a tiny BERT encoder (BERT-base's vocabulary, 2 layers, 16 wide) as a Hugging Face directory. */
    public static String writeTinyBert(java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Files.createDirectories(dir);
        String config = "{\"model_type\":\"bert\",\"vocab_size\":30522,\"hidden_size\":16,\"num_hidden_layers\":2,"
                + "\"num_attention_heads\":2,\"intermediate_size\":32,\"max_position_embeddings\":128,"
                + "\"type_vocab_size\":2,\"layer_norm_eps\":1e-12,\"pad_token_id\":0,\"hidden_act\":\"gelu\","
                + "\"hidden_dropout_prob\":0.0,\"attention_probs_dropout_prob\":0.0}";
        java.nio.file.Files.writeString(dir.resolve("config.json"), config, java.nio.charset.StandardCharsets.UTF_8);
        writeSafetensors(bertWeights(config, 4), dir);
        return dir.toString();
    }

    private static void writeSafetensors(FrozenWeights w, java.nio.file.Path dir) throws java.io.IOException {
        io.sparklora.model.io.SafetensorsWriter out = new io.sparklora.model.io.SafetensorsWriter();
        try (NDManager m = NDManager.newBaseManager()) {
            for (String name : w.names()) {
                NDArray a = w.source().load(name, m);
                out.addFloats(name, a.getShape().getShape(), a.toFloatArray());
            }
        }
        out.write(dir.resolve("model.safetensors"));
    }

    /** microsoft/LoRA's E2E setup on GPT-2: c_attn with LoRA on q and v. */
    public static ModelSpec gpt2Spec(String configJson, int r) {
        return new ModelSpec(ModelSpec.Family.GPT2, configJson, LoraSpec.builder().targetModules("c_attn")
                .enableLora("c_attn", true, false, true).r(r).alpha(4f * r).build(), 0, 0f);
    }

    public static String bertConfigJson() {
        return "{\"model_type\":\"bert\",\"vocab_size\":100,\"hidden_size\":32,\"num_hidden_layers\":2,"
                + "\"num_attention_heads\":4,\"intermediate_size\":64,\"max_position_embeddings\":40,"
                + "\"type_vocab_size\":2,\"layer_norm_eps\":1e-12,\"pad_token_id\":0,\"hidden_act\":\"gelu\","
                + "\"hidden_dropout_prob\":0.0,\"attention_probs_dropout_prob\":0.0}";
    }

    /** Random BERT encoder weights with Hugging Face names, no classifier (a pretrained checkpoint's shape). */
    public static FrozenWeights bertWeights(String configJson, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        FrozenWeights w = new FrozenWeights();
        try (NDManager m = NDManager.newBaseManager()) {
            io.sparklora.model.bert.BertConfig cfg = io.sparklora.model.bert.BertConfig.fromJson(
                    new java.io.ByteArrayInputStream(configJson.getBytes(java.nio.charset.StandardCharsets.UTF_8)), "test");
            var model = new io.sparklora.model.bert.BertForSequenceClassification(m, cfg);
            for (Map.Entry<String, Param> e : model.namedParameters().entrySet()) {
                if (!e.getKey().startsWith("classifier.")) {
                    NDArray a = e.getValue().array();
                    w.put(e.getKey(), a.getShape().getShape(), a.toFloatArray());
                }
            }
        }
        return w;
    }

    /** Sentence pairs whose label depends on the token ids (learnable). */
    public static List<Example> pairExamples(int n, int vocab, long seed) {
        Random rnd = new Random(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int a = 2 + rnd.nextInt(5);
            int b = 2 + rnd.nextInt(5);
            int label = rnd.nextInt(2);
            int[] ids = new int[a + b + 3];
            int[] types = new int[ids.length];
            ids[0] = 1;
            for (int j = 1; j < ids.length; j++) {
                boolean sep = j == a + 1 || j == ids.length - 1;
                ids[j] = sep ? 2 : 3 + label * (vocab / 2 - 3) + rnd.nextInt(vocab / 2 - 3);
                types[j] = j > a + 1 ? 1 : 0;
            }
            out.add(new Example(i, "pair" + i, ids, types, label, Float.NaN, null));
        }
        return out;
    }

    /** Context tokens (ignored by the loss) followed by target tokens, already shifted. */
    public static List<Example> lmExamples(int n, int vocab, long seed) {
        Random rnd = new Random(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int ctx = 2 + rnd.nextInt(4);
            int tgt = 2 + rnd.nextInt(5);
            int[] ids = new int[ctx + tgt];
            int[] labels = new int[ids.length];
            int start = rnd.nextInt(vocab - 10);
            for (int j = 0; j < ids.length; j++) {
                ids[j] = j < ctx ? rnd.nextInt(vocab) : (start + j) % vocab;
            }
            for (int j = 0; j < ids.length; j++) {
                labels[j] = j >= ctx - 1 && j + 1 < ids.length ? ids[j + 1] : -1;
            }
            out.add(new Example(i, "lm" + i, ids, null, -1, Float.NaN, labels));
        }
        return out;
    }
}
