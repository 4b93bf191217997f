package io.sparklora.eval.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.eval.GlueMetrics;
import io.sparklora.eval.GlueTask;
import io.sparklora.job.ToyClassifier;
import io.sparklora.job.dist.ExecutorModels;
import io.sparklora.job.dist.BroadcastWeights;
import io.sparklora.job.dist.FrozenWeights;
import io.sparklora.job.dist.TaskModelFactory;
import io.sparklora.job.dist.TrainableLayout;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.task.Batch;
import io.sparklora.model.task.Example;
import io.sparklora.model.task.TaskModel;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Distributed scoring of the toy classifier (LoRA projection, trained head) equals a single-process
 * loop that predicts one example at a time, and the metrics equal {@link GlueMetrics} on the loop's arrays.
 */
class ClassificationEvalTest {
    static final int VOCAB = 50;
    static final int DIM = 8;
    static SparkSession spark;
    static JavaSparkContext jsc;

    @BeforeAll
    static void start() {
        spark = EvalSpark.strictSession("classification-eval");
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static TrainableLayout layout(FrozenWeights base, TaskModelFactory factory) {
        try (NDManager m = NDManager.newBaseManager()) {
            return TrainableLayout.of(factory.build(base.source(), m).module());
        }
    }

    static float[] random(int n, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.7);
        }
        return v;
    }

    /** The reference: one process, eval mode, one example per batch; raw outputs per example. */
    static List<float[]> singleProcess(FrozenWeights base, TaskModelFactory factory, TrainableLayout layout,
                                       float[] lora, List<Example> data) {
        List<float[]> out = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            TaskModel model = factory.build(base.source(), m);
            layout.write(model.module(), lora);
            model.module().eval();
            for (Example e : data) {
                try (NDManager s = m.newSubManager()) {
                    NDArray y = Autograd.noGrad(() -> model.predict(Batch.of(List.of(e), model.padId(), s)));
                    out.add(y.toFloatArray());
                }
            }
        }
        return out;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int k = 1; k < v.length; k++) {
            if (v[k] > v[best]) {
                best = k;
            }
        }
        return best;
    }

    @Test
    void classesMatchTheSingleProcessLoopAndMetricsMatchGlueMetrics() {
        FrozenWeights base = ToyClassifier.baseWeights(VOCAB, DIM, 3);
        ToyClassifier.Factory factory = new ToyClassifier.Factory(VOCAB, DIM, 2, 2);
        TrainableLayout layout = layout(base, factory);
        float[] lora = random(layout.size(), 17);
        List<Example> data = ToyClassifier.examples(60, VOCAB, 5);

        List<float[]> local = singleProcess(base, factory, layout, lora, data);
        int[] localPred = new int[data.size()];
        int[] labels = new int[data.size()];
        for (int i = 0; i < data.size(); i++) {
            localPred[i] = argmax(local.get(i));
            labels[i] = data.get(i).label;
        }

        JavaRDD<Example> rdd = jsc.parallelize(data, 2);
        BroadcastWeights b = BroadcastWeights.of(jsc, base);
        try {
            Evaluator evaluator = new Evaluator(jsc, b, factory, layout);
            ClassificationEval eval = evaluator.classify(rdd, GlueTask.MRPC, lora, 4);
            assertEquals(data.size(), eval.predictions().size());
            int correct = 0;
            for (int i = 0; i < data.size(); i++) {
                ScoredExample s = eval.predictions().get(i);
                assertEquals(i, s.index);
                assertEquals(data.get(i).exampleId, s.exampleId);
                assertEquals(localPred[i], s.prediction, "example " + i);
                assertEquals(labels[i], s.label);
                correct += localPred[i] == labels[i] ? 1 : 0;
            }
            assertTrue(correct > 0 && correct < data.size(), "a random adapter is neither always right nor wrong");
            Map<String, Double> expected = GlueMetrics.compute(GlueTask.MRPC, localPred, labels);
            assertEquals(expected, eval.metrics());
            assertEquals(List.of(GlueMetrics.ACCURACY, GlueMetrics.F1), List.copyOf(eval.metrics().keySet()));

            // other LoRA values reach the executors and change some prediction
            float[] other = random(layout.size(), 18);
            ClassificationEval second = evaluator.classify(rdd, GlueTask.MRPC, other, 4);
            List<float[]> localOther = singleProcess(base, factory, layout, other, data);
            boolean changed = false;
            for (int i = 0; i < data.size(); i++) {
                assertEquals(argmax(localOther.get(i)), second.predictions().get(i).prediction, "example " + i);
                changed |= second.predictions().get(i).prediction != localPred[i];
            }
            assertTrue(changed, "different adapter values should change some prediction");
            boolean training = ExecutorModels.withModel(b, factory, h -> h.model().module().isTraining());
            assertTrue(training, "the executor model is back in training mode");
        } finally {
            ExecutorModels.release(b.id());
            b.destroy();
        }
    }

    @Test
    void regressionScoresMatchAndUnlabelledSplitsHaveNoMetrics() {
        FrozenWeights base = ToyClassifier.baseWeights(VOCAB, DIM, 4);
        ToyClassifier.Factory factory = new ToyClassifier.Factory(VOCAB, DIM, 1, 2);
        TrainableLayout layout = layout(base, factory);
        float[] lora = random(layout.size(), 23);
        List<Example> data = new ArrayList<>();
        List<Example> unlabelled = new ArrayList<>();
        Random rnd = new Random(9);
        for (Example e : ToyClassifier.examples(40, VOCAB, 8)) {
            float score = e.label * 2.5f + (float) rnd.nextDouble();
            data.add(new Example(e.index, e.exampleId, e.inputIds, null, -1, score, null));
            unlabelled.add(new Example(e.index, e.exampleId, e.inputIds, null, -1, Float.NaN, null));
        }
        List<float[]> local = singleProcess(base, factory, layout, lora, data);
        double[] localPred = new double[data.size()];
        double[] gold = new double[data.size()];
        for (int i = 0; i < data.size(); i++) {
            localPred[i] = local.get(i)[0];
            gold[i] = data.get(i).score;
        }
        BroadcastWeights b = BroadcastWeights.of(jsc, base);
        try {
            Evaluator evaluator = new Evaluator(jsc, b, factory, layout);
            ClassificationEval eval = evaluator.classify(jsc.parallelize(data, 2), GlueTask.STSB, lora, 3);
            double[] distPred = new double[data.size()];
            for (int i = 0; i < data.size(); i++) {
                distPred[i] = eval.predictions().get(i).prediction;
                assertEquals(localPred[i], distPred[i], 1e-5, "example " + i);
                assertEquals(gold[i], eval.predictions().get(i).label);
            }
            Map<String, Double> expected = GlueMetrics.compute(GlueTask.STSB, distPred, gold);
            assertEquals(expected, eval.metrics());
            Map<String, Double> fromLoop = GlueMetrics.compute(GlueTask.STSB, localPred, gold);
            assertEquals(fromLoop.get(GlueMetrics.PEARSON), eval.metrics().get(GlueMetrics.PEARSON), 1e-5);

            ClassificationEval none = evaluator.classify(jsc.parallelize(unlabelled, 2), GlueTask.STSB, lora, 3);
            assertTrue(none.metrics().isEmpty());
            assertEquals(data.size(), none.predictions().size());
            assertFalse(none.predictions().get(0).hasLabel());
        } finally {
            ExecutorModels.release(b.id());
            b.destroy();
        }
    }
}
