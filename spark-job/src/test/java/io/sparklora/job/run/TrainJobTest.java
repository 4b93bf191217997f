package io.sparklora.job.run;

import io.sparklora.data.prepare.InputSpec;
import io.sparklora.data.prepare.PrepareJob;
import io.sparklora.data.prepare.PrepareSpec;
import io.sparklora.data.tokenize.TokenizerKind;
import io.sparklora.job.TinyModels;
import io.sparklora.job.cli.ExitCodes.BadConfigException;
import io.sparklora.job.config.TrainConfig;
import io.sparklora.job.spark.SparkSetup;
import io.sparklora.model.io.Storage;
import io.sparklora.model.peft.PeftAdapter;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The train job end to end on a tiny GPT-2 and the E2E sample: layout, refusal, resume, bad configs. */
class TrainJobTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static String modelDir;
    static String prepared;

    @BeforeAll
    static void setUp() throws IOException {
        SparkConf conf = SparkSetup.configure(new SparkConf().setMaster("local[2]").setAppName("train-job")
                .set("spark.ui.enabled", "false").set("spark.kryo.registrationRequired", "true"));
        spark = SparkSession.builder().config(conf).getOrCreate();
        modelDir = TinyModels.writeTinyGpt2(tmp.resolve("gpt2-tiny"));
        prepared = tmp.resolve("prepared").toString();
        PrepareJob.run(spark, new PrepareSpec(List.of(new InputSpec("e2e", "train", "../data/e2e/trainset.csv")),
                TokenizerKind.GPT2, "../data/vocab/gpt2/tokenizer.json", 96, 0.01, prepared, 2));
    }

    @AfterAll
    static void tearDown() {
        spark.stop();
    }


    static List<String> config(String runId, String... extra) {
        List<String> o = new ArrayList<>(List.of("run-id=" + runId, "output=\"" + tmp.resolve("out") + "\"",
                "model.family=gpt2", "model.path=\"" + modelDir + "\"", "task=e2e", "data.prepared=\"" + prepared + "\"",
                "data.partitions=2", "lora.target-modules=[c_attn]", "lora.enable-lora.c_attn=[true,false,true]",
                "lora.r=2", "lora.alpha=8", "train.batch-size=8", "train.micro-batch-size=4", "train.max-steps=4",
                "train.lr=1e-2", "train.log-every=1"));
        o.addAll(List.of(extra));
        return o;
    }

    static Map<String, PeftAdapter.Tensor> adapter(String dir) throws IOException {
        return PeftAdapter.read(Storage.local(), dir, Map.of("c_attn", new boolean[] {true, false, true})).tensors();
    }

    @Test
    void trainsWritesTheLayoutAndRefusesToOverwrite() throws IOException {
        TrainConfig cfg = TrainConfig.load(null, config("layout", "train.checkpoint-every=2"));
        TrainJob.Result r = new TrainJob(cfg, false, false, null, null).run(spark);
        assertEquals(4, r.steps());
        Path run = tmp.resolve("out/runs/layout");
        for (String f : List.of("config.conf", "_SUCCESS", "summary.json", "adapters/e2e/final/adapter_config.json",
                "adapters/e2e/final/adapter_model.safetensors", "adapters/e2e/final/MANIFEST.json",
                "adapters/e2e/step-00000002/optimizer.safetensors")) {
            assertTrue(Files.exists(run.resolve(f)), f + " is missing");
        }
        long rows = spark.read().parquet(tmp.resolve("out/metrics").toString())
                .filter("run_id = 'layout' and split = 'train' and metric = 'loss'").count();
        assertEquals(4, rows);
        BadConfigException again = assertThrows(BadConfigException.class,
                () -> new TrainJob(cfg, false, false, null, null).run(spark));
        assertTrue(again.getMessage().contains("already finished"), again.getMessage());
        assertTrue(new TrainJob(cfg, true, false, null, null).run(spark).alreadyFinished());
    }

    @Test
    void aResumedRunEndsWithTheSameAdapter() throws IOException {
        TrainJob.Result straight = new TrainJob(TrainConfig.load(null, config("straight")), false, false, null, null).run(spark);
        TrainConfig cfg = TrainConfig.load(null, config("killed", "train.checkpoint-every=2", "train.eval-every=3"));
        TrainJob.Evaluation crash = (ctx, state, step) -> {
            throw new IllegalStateException("simulated failure after step " + step);
        };
        assertThrows(IllegalStateException.class, () -> new TrainJob(cfg, false, false, crash, null).run(spark));
        assertTrue(Files.exists(tmp.resolve("out/runs/killed/adapters/e2e/step-00000002/MANIFEST.json")));
        TrainJob.Result resumed = new TrainJob(cfg, true, false, null, null).run(spark);
        assertEquals(4, resumed.steps());
        Map<String, PeftAdapter.Tensor> a = adapter(straight.finalAdapter());
        Map<String, PeftAdapter.Tensor> b = adapter(resumed.finalAdapter());
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            float[] x = a.get(k).data();
            float[] y = b.get(k).data();
            for (int i = 0; i < x.length; i++) {
                assertTrue(Math.abs(x[i] - y[i]) <= 1e-6, k + "[" + i + "]: " + x[i] + " vs " + y[i]);
            }
        }
    }

    @Test
    void aCorruptCheckpointIsSkipped() throws IOException {
        TrainConfig cfg = TrainConfig.load(null, config("corrupt", "train.checkpoint-every=1", "train.eval-every=3"));
        TrainJob.Evaluation crash = (ctx, state, step) -> {
            throw new IllegalStateException("stop");
        };
        assertThrows(IllegalStateException.class, () -> new TrainJob(cfg, false, false, crash, null).run(spark));
        Path newest = tmp.resolve("out/runs/corrupt/adapters/e2e/step-00000003/adapter_model.safetensors");
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length - 1] ^= 1;
        Files.write(newest, bytes);
        TrainJob.Result r = new TrainJob(cfg, true, false, null, null).run(spark);
        assertEquals(4, r.steps());
    }

    @Test
    void badConfigsFailBeforeAnySparkJob() throws Exception {
        AtomicInteger jobs = new AtomicInteger();
        SparkListener counter = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                jobs.incrementAndGet();
            }
        };
        spark.sparkContext().addSparkListener(counter);
        try {
            assertBad("train.lr2=1", "sparklora.train.lr2");
            assertBad("lora.r=0", "r must be > 0");
            assertBad("model.path=\"" + tmp.resolve("nowhere") + "\"", "nowhere");
            assertBad("lora.target-modules=[q_proj]", "q_proj");
            assertBad("run-id=\"../x\"", "sparklora.run-id");
            spark.sparkContext().listenerBus().waitUntilEmpty();
            assertEquals(0, jobs.get(), "a Spark job ran before the config was rejected");
        } finally {
            spark.sparkContext().removeSparkListener(counter);
        }
    }

    private void assertBad(String override, String expectedInMessage) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            TrainConfig cfg = TrainConfig.load(null, config("bad", override));
            new TrainJob(cfg, false, true, null, null).run(spark);
        });
        assertTrue(e.getMessage().contains(expectedInMessage), override + " -> " + e.getMessage());
    }
}
