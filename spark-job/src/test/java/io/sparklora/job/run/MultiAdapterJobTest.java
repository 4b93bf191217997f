package io.sparklora.job.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklora.data.prepare.InputSpec;
import io.sparklora.data.prepare.PrepareJob;
import io.sparklora.data.prepare.PrepareSpec;
import io.sparklora.data.tokenize.TokenizerKind;
import io.sparklora.job.TinyModels;
import io.sparklora.job.cli.ExitCodes.BadConfigException;
import io.sparklora.job.config.TrainConfig;
import io.sparklora.job.dist.ExecutorModels;
import io.sparklora.job.spark.SparkSetup;
import io.sparklora.model.io.Storage;
import io.sparklora.model.peft.PeftAdapter;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Row;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several adapters in one job: SST-2, MRPC and STS-B on one tiny BERT and E2E on a tiny GPT-2 train in
 * the same steps, one broadcast per base model, and each ends exactly where it ends when trained alone.
 */
class MultiAdapterJobTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static String bert;
    static String gpt2;
    static String glue;
    static String e2e;

    @BeforeAll
    static void setUp() throws IOException {
        SparkConf conf = SparkSetup.configure(new SparkConf().setMaster("local[2]").setAppName("multi-adapter")
                .set("spark.ui.enabled", "false").set("spark.kryo.registrationRequired", "true"));
        spark = SparkSession.builder().config(conf).getOrCreate();
        bert = TinyModels.writeTinyBert(tmp.resolve("bert-tiny"));
        gpt2 = TinyModels.writeTinyGpt2(tmp.resolve("gpt2-tiny"));
        glue = tmp.resolve("prepared-glue").toString();
        e2e = tmp.resolve("prepared-e2e").toString();
        PrepareJob.run(spark, new PrepareSpec(List.of(new InputSpec("mrpc", "train", "../data/glue/MRPC/train.tsv"),
                new InputSpec("stsb", "train", "../data/glue/STS-B/train.tsv"),
                new InputSpec("sst2", "train", "../data/glue/SST-2/dev.tsv")),
                TokenizerKind.BERT, "../data/vocab/bert-base-uncased/vocab.txt", 48, 0.01, glue, 2));
        PrepareJob.run(spark, new PrepareSpec(List.of(new InputSpec("e2e", "train", "../data/e2e/trainset.csv")),
                TokenizerKind.GPT2, "../data/vocab/gpt2/tokenizer.json", 96, 0.01, e2e, 2));
    }

    @AfterAll
    static void tearDown() {
        spark.stop();
    }

    /** Settings every adapter shares unless its entry says otherwise. */
    static List<String> common(String runId) {
        return new ArrayList<>(List.of("run-id=" + runId, "output=\"" + tmp.resolve("out") + "\"", "model.family=bert",
                "model.path=\"" + bert + "\"", "data.prepared=\"" + glue + "\"", "data.partitions=2",
                "lora.r=2", "lora.alpha=8", "train.batch-size=8", "train.micro-batch-size=4", "train.max-steps=3",
                "train.lr=1e-2", "train.log-every=1"));
    }

    /** Each entry's own keys; the same strings configure the single-adapter reference runs. */
    static Map<String, List<String>> entries() {
        return Map.of(
            "sst2", List.of("task=sst2"),
            "mrpc", List.of("task=mrpc", "lora.r=4"),
            "stsb", List.of("task=stsb", "train.max-steps=2", "train.seed=7"),
            "e2e", List.of("task=e2e", "model.family=gpt2", "model.path=\"" + gpt2 + "\"", "data.prepared=\"" + e2e + "\"",
                    "lora.target-modules=[c_attn]", "lora.enable-lora.c_attn=[true,false,true]", "train.batch-size=4"));
    }
    static final List<String> ORDER = List.of("sst2", "mrpc", "stsb", "e2e");

    static String tasksValue() {
        StringBuilder b = new StringBuilder("tasks=[");
        for (String t : ORDER) {
            b.append(t.equals("sst2") ? "{" : ",{").append(String.join(", ", entries().get(t))).append('}');
        }
        return b.append(']').toString();
    }

    @Test
    void adaptersTrainInTheSameStepsAsIfEachWereAlone() throws Exception {
        Counting counting = new Counting();
        spark.sparkContext().addSparkListener(counting);
        int builds = ExecutorModels.builds();
        int shared = ExecutorModels.sharedTensors();
        List<String> multi = common("together");
        multi.add(tasksValue());
        TrainJob.Result together = new TrainJob(TrainConfig.load(null, multi), false, false, null, null).run(spark);
        spark.sparkContext().listenerBus().waitUntilEmpty();
        spark.sparkContext().removeSparkListener(counting);

        assertEquals(ORDER, together.adapters().stream().map(TrainJob.AdapterResult::adapter).toList());
        assertEquals(List.of(3L, 3L, 2L, 3L), together.adapters().stream().map(TrainJob.AdapterResult::steps).toList());
        assertEquals(3, counting.trainJobs.get(), "one Spark job per step for all adapters");
        // Three adapters on the BERT base and one on GPT-2: each base goes out once, not per adapter. The
        // only broadcast pieces over 1 MB are the two word-embedding blocks (BERT 1.95 MB, GPT-2 3.2 MB).
        long big = counting.broadcastBytes.values().stream().filter(b -> b > 1_000_000).count();
        assertEquals(2, big, "one broadcast per base model: " + counting.broadcastBytes);
        assertEquals(4, ExecutorModels.builds() - builds, "one model per architecture in this JVM");
        assertTrue(ExecutorModels.sharedTensors() - shared > 0, "MRPC's and STS-B's models borrow SST-2's weights");

        Path run = tmp.resolve("out/runs/together");
        JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
        assertEquals(4, summary.get("adapters").size());
        assertTrue(Files.exists(run.resolve("_SUCCESS")));
        Set<String> inMetrics = new TreeSet<>();
        for (Row r : spark.read().parquet(tmp.resolve("out/metrics").toString())
                .filter("run_id = 'together' AND metric = 'loss'").select("adapter").distinct().collectAsList()) {
            inMetrics.add(r.getString(0));
        }
        assertEquals(new TreeSet<>(ORDER), inMetrics);

        for (int k = 0; k < ORDER.size(); k++) {
            String task = ORDER.get(k);
            List<String> alone = common("alone-" + task);
            alone.addAll(entries().get(task));
            TrainJob.Result single = new TrainJob(TrainConfig.load(null, alone), false, false, null, null).run(spark);
            assertEquals(run.resolve("adapters/" + task + "/final").toString(), together.adapters().get(k).finalAdapter());
            assertClose(task, adapter(single.finalAdapter(), task), adapter(together.adapters().get(k).finalAdapter(), task));
        }
    }

    @Test
    void multiAdapterConfigsAreChecked() {
        List<String> dup = common("dup");
        dup.add("tasks=[{task=sst2}, {task=sst2, lora.r=4}]");
        assertTrue(assertThrows(BadConfigException.class, () -> TrainConfig.load(null, dup)).getMessage()
                .contains("two adapters are named 'sst2'"));
        List<String> renamed = common("renamed");
        renamed.add("tasks=[{task=sst2}, {task=sst2, adapter=sst2-r4, lora.r=4}]");
        assertEquals(List.of("sst2", "sst2-r4"),
                TrainConfig.load(null, renamed).adapters().stream().map(TrainConfig::adapterName).toList());
        List<String> jobKey = common("jobkey");
        jobKey.add("tasks=[{task=sst2, output=elsewhere}]");
        assertTrue(assertThrows(BadConfigException.class, () -> TrainConfig.load(null, jobKey)).getMessage()
                .contains("belongs to the whole job"));
        List<String> unknown = common("unknown");
        unknown.add("tasks=[{task=sst2}, {task=mrpc, lora.rank=4}]");
        assertTrue(assertThrows(BadConfigException.class, () -> TrainConfig.load(null, unknown)).getMessage()
                .contains("tasks[1]"));
        List<String> both = common("both");
        both.add("task=sst2");
        both.add("tasks=[{task=mrpc}]");
        assertTrue(assertThrows(BadConfigException.class, () -> TrainConfig.load(null, both)).getMessage()
                .contains("not both"));
        List<String> badR = common("badr");
        badR.add("tasks=[{task=sst2}, {task=mrpc, lora.r=0}]");
        assertTrue(assertThrows(BadConfigException.class, () -> TrainConfig.load(null, badR)).getMessage()
                .startsWith("sparklora.tasks[1]"));
    }

    private static Map<String, PeftAdapter.Tensor> adapter(String dir, String task) throws IOException {
        Map<String, boolean[]> groups = task.equals("e2e") ? Map.of("c_attn", new boolean[] {true, false, true}) : Map.of();
        return PeftAdapter.read(Storage.local(), dir, groups).tensors();
    }

    private static void assertClose(String task, Map<String, PeftAdapter.Tensor> a, Map<String, PeftAdapter.Tensor> b) {
        assertEquals(a.keySet(), b.keySet(), task);
        double maxDiff = 0;
        double maxChange = 0;
        for (String k : a.keySet()) {
            float[] x = a.get(k).data();
            float[] y = b.get(k).data();
            for (int i = 0; i < x.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
                maxChange = Math.max(maxChange, Math.abs(x[i]));
            }
        }
        assertTrue(maxDiff < 1e-4, task + ": trained together vs alone differ by " + maxDiff);
        assertTrue(maxChange > 1e-3, task + ": the adapter did not train");
    }

    /** Counts the training step jobs and the bytes of each broadcast. */
    static final class Counting extends SparkListener {
        final AtomicInteger trainJobs = new AtomicInteger();
        final Map<String, Long> broadcastBytes = new ConcurrentHashMap<>();

        @Override
        public void onJobStart(SparkListenerJobStart start) {
            String d = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
            if (d != null && d.startsWith("sparklora train step")) {
                trainJobs.incrementAndGet();
            }
        }

        @Override
        public void onBlockUpdated(SparkListenerBlockUpdated update) {
            String block = update.blockUpdatedInfo().blockId().name();
            if (block.startsWith("broadcast_") && block.contains("_piece")) {
                // Per piece, the largest size reported (a piece is updated again when it is removed).
                broadcastBytes.merge(block, update.blockUpdatedInfo().memSize() + update.blockUpdatedInfo().diskSize(),
                        Math::max);
            }
        }
    }
}
