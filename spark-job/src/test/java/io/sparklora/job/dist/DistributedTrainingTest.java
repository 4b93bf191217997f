package io.sparklora.job.dist;

import io.sparklora.job.TinyModels;
import io.sparklora.job.spark.SparkSetup;
import io.sparklora.job.train.TrainSettings;
import io.sparklora.job.train.TrainState;
import io.sparklora.job.train.Trainers;
import io.sparklora.model.task.Example;
import io.sparklora.model.task.ModelSpec;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tiny GPT-2 with microsoft/LoRA's q,v adapter and a tiny BERT classifier: 1, 2 and 4 partitions
 * give the single-process result after 20 steps; task results per step stay LoRA-sized when the base
 * grows; the base goes out once.
 */
class DistributedTrainingTest {
    static SparkSession spark;
    static JavaSparkContext jsc;

    @BeforeAll
    static void start() {
        SparkConf conf = SparkSetup.configure(new SparkConf().setMaster("local[2]").setAppName("distributed")
                .set("spark.ui.enabled", "false").set("spark.kryo.registrationRequired", "true"));
        spark = SparkSession.builder().config(conf).getOrCreate();
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static TrainSettings settings(long steps) {
        return new TrainSettings(12, 4, 5, steps, 1e-2, 0.1, 0.01f, 1.0, 0.9f, 0.999f, 1e-6f, 5);
    }

    /** The block broadcasts of the last run's base weights. */
    static java.util.Set<Long> lastBaseIds = java.util.Set.of();

    static TrainState sparkRun(List<Example> data, int partitions, FrozenWeights base, ModelSpec spec, TrainSettings s) {
        ModelSpecFactory factory = new ModelSpecFactory(spec);
        JavaRDD<Example> rdd = jsc.parallelize(data, partitions).cache();
        BroadcastWeights b = BroadcastWeights.of(jsc, base);
        lastBaseIds = b.broadcastIds();
        try {
            return Trainers.spark(jsc, rdd, data.size(), b, factory, s, Trainers.initialState(base, factory, s),
                    (r, st) -> { });
        } finally {
            ExecutorModels.release(b.id());
            b.destroy();
            rdd.unpersist();
        }
    }

    @Test
    void gpt2PartitionsEqualTheSingleProcessLoop() {
        String config = TinyModels.gpt2ConfigJson(2, 32, 100);
        FrozenWeights base = TinyModels.gpt2Weights(config, 1);
        ModelSpec spec = TinyModels.gpt2Spec(config, 4);
        List<Example> data = TinyModels.lmExamples(50, 100, 9);
        TrainSettings s = settings(20);
        ModelSpecFactory factory = new ModelSpecFactory(spec);
        double[] firstLast = new double[2];
        TrainState local = Trainers.local(data, base, factory, s, Trainers.initialState(base, factory, s), (r, st) -> {
            if (r.step() == 1) {
                firstLast[0] = r.loss();
            }
            firstLast[1] = r.loss();
        });
        assertTrue(firstLast[1] < firstLast[0], "loss must fall: " + firstLast[0] + " -> " + firstLast[1]);
        for (int p : new int[] {1, 2, 4}) {
            TrainState dist = sparkRun(data, p, base, spec, s);
            double worst = 0;
            for (int i = 0; i < local.params.length; i++) {
                worst = Math.max(worst, Math.abs(local.params[i] - dist.params[i]));
            }
            assertTrue(worst <= 1e-4, p + " partitions differ from the single-process loop by " + worst);
        }
    }

    @Test
    void bertPartitionsEqualTheSingleProcessLoop() {
        String config = TinyModels.bertConfigJson();
        FrozenWeights base = TinyModels.bertWeights(config, 4);
        ModelSpec spec = new ModelSpec(ModelSpec.Family.BERT, config, io.sparklora.model.lora.LoraSpec.builder()
                .targetModules("query", "value").r(4).alpha(8).build(), 2, 0f);
        List<Example> data = TinyModels.pairExamples(50, 100, 8);
        TrainSettings s = settings(20);
        ModelSpecFactory factory = new ModelSpecFactory(spec);
        TrainState local = Trainers.local(data, base, factory, s, Trainers.initialState(base, factory, s), (r, st) -> { });
        assertTrue(local.layout.names().contains("classifier.weight"), "the head trains: " + local.layout.names());
        for (int p : new int[] {1, 2, 4}) {
            TrainState dist = sparkRun(data, p, base, spec, s);
            double worst = 0;
            for (int i = 0; i < local.params.length; i++) {
                worst = Math.max(worst, Math.abs(local.params[i] - dist.params[i]));
            }
            assertTrue(worst <= 1e-4, p + " partitions differ from the single-process loop by " + worst);
        }
    }

    /** Counts task-result bytes per job and bytes stored per broadcast id. */
    static final class Traffic extends SparkListener {
        final AtomicLong resultBytes = new AtomicLong();
        final AtomicLong tasks = new AtomicLong();
        final Map<String, Long> broadcastBytes = new ConcurrentHashMap<>();

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.taskMetrics() != null) {
                resultBytes.addAndGet(end.taskMetrics().resultSize());
                tasks.incrementAndGet();
            }
        }

        @Override
        public void onBlockUpdated(SparkListenerBlockUpdated update) {
            String block = update.blockUpdatedInfo().blockId().name();
            if (block.startsWith("broadcast_") && block.contains("_piece")) {
                String id = block.substring(0, block.indexOf("_piece"));
                broadcastBytes.merge(id, update.blockUpdatedInfo().memSize() + update.blockUpdatedInfo().diskSize(),
                        Math::max);
                broadcastBytes.merge(id + "#pieces", 1L, Long::sum);
            }
        }
    }

    @Test
    void bytesPerStepDoNotGrowWithTheBaseAndTheBaseIsBroadcastOnce() throws Exception {
        List<Example> data = TinyModels.lmExamples(24, 100, 3);
        TrainSettings s = settings(4);
        long[] perTask = new long[2];
        long[] weightBytes = new long[2];
        int i = 0;
        for (int embd : new int[] {32, 64}) { // hidden 2x: attention/MLP weights 4x, LoRA shape fixed by r
            String config = TinyModels.gpt2ConfigJson(2, embd, 100);
            FrozenWeights base = TinyModels.gpt2Weights(config, 2);
            weightBytes[i] = base.bytes();
            Traffic traffic = new Traffic();
            spark.sparkContext().addSparkListener(traffic);
            sparkRun(data, 2, base, TinyModels.gpt2Spec(config, 4), s);
            spark.sparkContext().listenerBus().waitUntilEmpty();
            spark.sparkContext().removeSparkListener(traffic);
            perTask[i] = traffic.resultBytes.get() / traffic.tasks.get();
            // The base goes out once, as its blocks; every other broadcast (a step's LoRA values) is small.
            long baseBytes = 0;
            for (Map.Entry<String, Long> e : traffic.broadcastBytes.entrySet()) {
                if (e.getKey().endsWith("#pieces")) {
                    continue;
                }
                long id = Long.parseLong(e.getKey().substring("broadcast_".length()));
                if (lastBaseIds.contains(id)) {
                    baseBytes += e.getValue();
                } else {
                    assertTrue(e.getValue() < base.bytes() / 20, "a large broadcast besides the base: " + e);
                }
            }
            assertTrue(baseBytes > 0.9 * base.bytes() && baseBytes < 1.2 * base.bytes(),
                    "the base weights must be broadcast exactly once: " + baseBytes + " bytes for " + base.bytes());
            i++;
        }
        assertTrue(weightBytes[1] > 3 * weightBytes[0], "the second base must be much larger");
        // LoRA A grows with the hidden size (r x in), so compare with the LoRA vector, not the base.
        assertTrue(perTask[1] < 3 * perTask[0], "task results grew with the base: " + perTask[0] + " -> " + perTask[1]);
        assertTrue(perTask[1] < weightBytes[1] / 10, "task results must be far smaller than the base: " + perTask[1]);
    }
}
