package io.sparklora.model.peft;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.gpt2.Gpt2Checkpoints;
import io.sparklora.model.gpt2.Gpt2Config;
import io.sparklora.model.gpt2.Gpt2LMHeadModel;
import io.sparklora.model.gpt2.TinyGpt2;
import io.sparklora.model.io.HfModelDir;
import io.sparklora.model.io.Storage;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.Param;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/** A tiny GPT-2 (2 layers, 32 wide, vocab 100) as a Hugging Face directory, and helpers around it. */
final class TinyCheckpoints {
    static final String CONFIG_JSON = "{\"model_type\": \"gpt2\", \"architectures\": [\"GPT2LMHeadModel\"], "
            + "\"n_layer\": 2, \"n_embd\": 32, \"n_head\": 4, \"vocab_size\": 100, \"n_positions\": 64, "
            + "\"activation_function\": \"gelu_new\", \"layer_norm_epsilon\": 1e-05}";
    static final long[] IDS = {5, 17, 42, 3, 99, 0, 64, 8};

    private TinyCheckpoints() {}

    static Gpt2Config config() {
        return TinyGpt2.config();
    }

    /** Writes a random GPT-2 (GPT-2's own init, seeded) as {@code dir} with HF names. */
    static void writeBase(Path dir, int seed) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(seed);
            Gpt2LMHeadModel model = Gpt2LMHeadModel.build(config(), m);
            // Non-zero biases, so that a lost bias would show in the logits.
            randomize(model, seed, name -> name.endsWith("bias"), 0.02f);
            MergedExport.write(model, CONFIG_JSON, Storage.local(), dir.toString(), false);
        }
    }

    /** A plain GPT-2 loaded strictly from an HF directory. */
    static Gpt2LMHeadModel load(Path dir, NDManager manager) throws IOException {
        try (HfModelDir d = HfModelDir.open(Storage.local(), dir.toString())) {
            Gpt2LMHeadModel model = Gpt2LMHeadModel.build(Gpt2Config.fromJson(d.configJson(), "config.json"), manager);
            model.loadStateDict(Gpt2Checkpoints.huggingFace(d.tensors()), true);
            return model;
        }
    }

    /** Sets the parameters whose names match to seeded N(0, std) values. */
    static void randomize(Module model, long seed, java.util.function.Predicate<String> which, float std) {
        Random rnd = new Random(seed);
        for (Map.Entry<String, Param> e : model.namedParameters().entrySet()) {
            if (which.test(e.getKey())) {
                Param p = e.getValue();
                float[] v = new float[(int) p.shape().size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (rnd.nextGaussian() * std);
                }
                p.load(e.getKey(), v);
            }
        }
    }

    /** Non-zero LoRA A and B, large enough to change the logits clearly. */
    static void randomizeLora(Module model, long seed) {
        randomize(model, seed, n -> n.endsWith("lora_A") || n.endsWith("lora_B"), 0.2f);
    }

    static float[] logits(Gpt2LMHeadModel model) {
        try (NDManager s = model.manager().newSubManager()) {
            NDArray ids = s.create(IDS, new Shape(2, 4));
            return Autograd.noGrad(() -> model.logits(ids)).toFloatArray();
        }
    }

    static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths " + a.length + " vs " + b.length);
        }
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
