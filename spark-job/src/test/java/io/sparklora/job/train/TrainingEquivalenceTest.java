package io.sparklora.job.train;

import io.sparklora.job.ToyClassifier;
import io.sparklora.job.dist.ExecutorModels;
import io.sparklora.job.dist.BroadcastWeights;
import io.sparklora.job.dist.FrozenWeights;
import io.sparklora.job.spark.SparkSetup;
import io.sparklora.model.task.Example;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Distributed steps over 1, 2 and 4 partitions equal the single-process loop on the same batches. */
class TrainingEquivalenceTest {
    static SparkSession spark;

    @BeforeAll
    static void start() {
        SparkConf conf = SparkSetup.configure(new SparkConf().setMaster("local[2]").setAppName("equivalence")
                .set("spark.ui.enabled", "false").set("spark.kryo.registrationRequired", "true"));
        spark = SparkSession.builder().config(conf).getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static final int VOCAB = 40;
    static final int DIM = 16;

    TrainSettings settings() {
        return new TrainSettings(16, 5, 11, 20, 5e-2, 0.1, 0.01f, 1.0, 0.9f, 0.999f, 1e-8f, 5);
    }

    @Test
    void partitionsDoNotChangeTheResult() {
        FrozenWeights base = ToyClassifier.baseWeights(VOCAB, DIM, 3);
        ToyClassifier.Factory factory = new ToyClassifier.Factory(VOCAB, DIM, 2, 4);
        List<Example> data = ToyClassifier.examples(70, VOCAB, 5);
        TrainSettings s = settings();
        List<Double> losses = new ArrayList<>();
        TrainState local = Trainers.local(data, base, factory, s, Trainers.initialState(base, factory, s),
                (r, st) -> losses.add(r.loss()));
        assertTrue(losses.get(losses.size() - 1) < losses.get(0), "loss goes down: " + losses);

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        for (int partitions : new int[] {1, 2, 4}) {
            JavaRDD<Example> rdd = jsc.parallelize(data, partitions).cache();
            BroadcastWeights b = BroadcastWeights.of(jsc, base);
            TrainState dist = Trainers.spark(jsc, rdd, data.size(), b, factory, s,
                    Trainers.initialState(base, factory, s), (r, st) -> { });
            ExecutorModels.release(b.id());
            b.destroy();
            rdd.unpersist();
            assertEquals(s.totalSteps(), dist.step);
            double worst = 0;
            int at = 0;
            for (int i = 0; i < local.params.length; i++) {
                double d = Math.abs(local.params[i] - dist.params[i]);
                if (d > worst) {
                    worst = d;
                    at = i;
                }
            }
            assertTrue(worst <= 1e-4, partitions + " partitions: max |diff| " + worst + " at value " + at + " ("
                    + local.params[at] + " vs " + dist.params[at] + "; layout " + local.layout.names() + ")");
        }
    }
}
