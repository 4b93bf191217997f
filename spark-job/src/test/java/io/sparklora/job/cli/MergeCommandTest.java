package io.sparklora.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.gpt2.Gpt2Checkpoints;
import io.sparklora.model.gpt2.Gpt2Config;
import io.sparklora.model.gpt2.Gpt2LMHeadModel;
import io.sparklora.model.io.HfModelDir;
import io.sparklora.model.io.Storage;
import io.sparklora.model.lora.LoraInjector;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Param;
import io.sparklora.model.peft.MergedExport;
import io.sparklora.model.peft.PeftAdapter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sparklora merge} on a tiny GPT-2 written to a temporary directory. */
class MergeCommandTest {
    private static final String CONFIG = "{\"model_type\": \"gpt2\", \"n_layer\": 2, \"n_embd\": 32, \"n_head\": 4, "
            + "\"vocab_size\": 100, \"n_positions\": 64}";
    private static final Storage FS = Storage.local();

    @TempDir Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cl = SparkloraCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static Gpt2LMHeadModel load(Path d, NDManager m) throws IOException {
        try (HfModelDir h = HfModelDir.open(FS, d.toString())) {
            Gpt2LMHeadModel model = Gpt2LMHeadModel.build(Gpt2Config.fromJson(h.configJson(), "config.json"), m);
            model.loadStateDict(Gpt2Checkpoints.huggingFace(h.tensors()), true);
            return model;
        }
    }

    private static float[] logits(Gpt2LMHeadModel model) {
        try (NDManager s = model.manager().newSubManager()) {
            NDArray ids = s.create(new long[] {1, 50, 7, 99, 3, 3}, new Shape(2, 3));
            return Autograd.noGrad(() -> model.logits(ids)).toFloatArray();
        }
    }

    private static float maxDiff(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void mergesAQvAdapterIntoAPlainGpt2() throws IOException {
        Path base = dir.resolve("base");
        Path adapter = dir.resolve("adapter");
        Path out = dir.resolve("merged");
        LoraSpec spec = LoraSpec.builder().targetModules("c_attn").enableLora("c_attn", true, false, true)
                .r(4).alpha(16).build();
        try (NDManager root = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            Gpt2LMHeadModel plain = Gpt2LMHeadModel.build(Gpt2Config.fromJson(CONFIG, "test"), root.newSubManager());
            MergedExport.write(plain, CONFIG, FS, base.toString(), false);
            float[] before = logits(plain);

            Gpt2LMHeadModel lora = load(base, root.newSubManager());
            LoraInjector.inject(lora, spec);
            Random rnd = new Random(9);
            for (Map.Entry<String, Param> e : lora.namedParameters().entrySet()) {
                if (e.getKey().contains("lora_")) {
                    float[] v = new float[(int) e.getValue().shape().size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (rnd.nextGaussian() * 0.2);
                    }
                    e.getValue().load(e.getKey(), v);
                }
            }
            float[] expected = logits(lora);
            assertTrue(maxDiff(expected, before) > 1e-2, "LoRA must change the logits");
            PeftAdapter.save(lora, spec, new PeftAdapter.Meta(base.toString(), "CAUSAL_LM", true), FS, adapter.toString());

            Run r = run("merge", "--base", base.toString(), "--adapter", adapter.toString(), "--output", out.toString());
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("wrote"), r.out());
            float diff = maxDiff(expected, logits(load(out, root.newSubManager())));
            assertTrue(diff <= 1e-5, "merged logits differ by " + diff);

            Run again = run("merge", "--base", base.toString(), "--adapter", adapter.toString(), "--output", out.toString());
            assertEquals(SparkloraCli.EXIT_BAD_CONFIG, again.exit());
            assertTrue(again.err().contains("--force"), again.err());
            Run forced = run("merge", "--base", base.toString(), "--adapter", adapter.toString(), "--output",
                    out.toString(), "--force");
            assertEquals(0, forced.exit(), forced.err());

            Run noAdapter = run("merge", "--base", base.toString(), "--adapter", dir.resolve("nope").toString(),
                    "--output", dir.resolve("o2").toString());
            assertEquals(SparkloraCli.EXIT_BAD_INPUT, noAdapter.exit());
            assertTrue(noAdapter.err().contains("adapter_config.json"), noAdapter.err());
        }
    }

    @Test
    void mergesABertClassifierAdapter() throws IOException {
        Path base = Files.createDirectories(dir.resolve("bert"));
        String config = io.sparklora.job.TinyModels.bertConfigJson();
        Files.writeString(base.resolve("config.json"), config);
        io.sparklora.job.dist.FrozenWeights weights = io.sparklora.job.TinyModels.bertWeights(config, 5);
        io.sparklora.model.io.SafetensorsWriter st = new io.sparklora.model.io.SafetensorsWriter();
        Path adapter = dir.resolve("bert-adapter");
        Path out = dir.resolve("bert-merged");
        try (NDManager root = NDManager.newBaseManager()) {
            for (String n : weights.names()) {
                NDArray a = weights.source().load(n, root);
                st.addFloats(n, a.getShape().getShape(), a.toFloatArray());
            }
            st.write(base.resolve("model.safetensors"));
            io.sparklora.model.task.ModelSpec spec = new io.sparklora.model.task.ModelSpec(
                    io.sparklora.model.task.ModelSpec.Family.BERT, config,
                    LoraSpec.builder().targetModules("query", "value").r(4).alpha(8).build(), 2, 0f);
            io.sparklora.model.bert.BertForSequenceClassification lora;
            try (HfModelDir h = HfModelDir.open(FS, base.toString())) {
                lora = ((io.sparklora.model.task.ClassifierTask) spec.build(h.tensors(), root.newSubManager(), false))
                        .classifier();
            }
            Random rnd = new Random(4);
            for (Map.Entry<String, Param> e : io.sparklora.model.lora.Lora.trainableParameters(lora).entrySet()) {
                float[] v = new float[(int) e.getValue().shape().size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (rnd.nextGaussian() * 0.2);
                }
                e.getValue().load(e.getKey(), v);
            }
            float[] expected = bertLogits(lora);
            PeftAdapter.save(lora, spec.lora(), new PeftAdapter.Meta(base.toString(), "SEQ_CLS", false), FS,
                    adapter.toString());

            Run r = run("merge", "--base", base.toString(), "--adapter", adapter.toString(), "--output", out.toString());
            assertEquals(0, r.exit(), r.err());
            try (HfModelDir merged = HfModelDir.open(FS, out.toString())) {
                io.sparklora.model.bert.BertConfig cfg = io.sparklora.model.bert.BertConfig.fromJson(
                        new java.io.ByteArrayInputStream(config.getBytes(java.nio.charset.StandardCharsets.UTF_8)), "t")
                        .toBuilder().numLabels(2).build();
                var plain = new io.sparklora.model.bert.BertForSequenceClassification(root.newSubManager(), cfg);
                plain.loadStateDict(merged.tensors(), true);
                float diff = maxDiff(expected, bertLogits(plain));
                assertTrue(diff <= 1e-5, "merged BERT logits differ by " + diff);
            }
        }
    }

    private static float[] bertLogits(io.sparklora.model.bert.BertForSequenceClassification model) {
        try (NDManager s = model.manager().newSubManager()) {
            NDArray ids = s.create(new long[] {1, 50, 7, 2, 9, 2, 1, 3, 3, 2, 0, 0}, new Shape(2, 6));
            NDArray mask = s.create(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, new Shape(2, 6));
            NDArray types = s.create(new long[] {0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0}, new Shape(2, 6));
            return Autograd.noGrad(() -> model.logits(new io.sparklora.model.bert.BertInputs(ids, mask, types)))
                    .toFloatArray();
        }
    }

    @Test
    void pickleBaseIsRefused() throws IOException {
        Path base = Files.createDirectories(dir.resolve("pickle"));
        Files.writeString(base.resolve("config.json"), CONFIG);
        Files.write(base.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        Run r = run("merge", "--base", base.toString(), "--adapter", dir.resolve("a").toString(),
                "--output", dir.resolve("o").toString());
        assertEquals(SparkloraCli.EXIT_BAD_INPUT, r.exit());
        assertTrue(r.err().contains("pytorch_model.bin") && r.err().contains("pickle"), r.err());
    }
}
