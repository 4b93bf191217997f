package io.sparklora.job.dist;

import io.sparklora.model.task.Example;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

import java.util.Iterator;
import java.util.List;

/**
 * The all-reduce of one step, Spark MLlib's way: broadcast the current LoRA values (kilobytes),
 * let every partition of the cached training data compute its gradient with the model its executor
 * already holds, and sum the per-partition results with {@code treeReduce}. Only LoRA-sized arrays
 * travel; the base weights went out once, in {@code base}.
 */
public final class GradientAllReduce {
    private final JavaSparkContext jsc;
    private final JavaRDD<Example> data;
    private final Broadcast<FrozenWeights> base;
    private final TaskModelFactory factory;
    private final TrainableLayout layout;
    private final BatchPlan plan;
    private final int microBatch;
    private final long seed;
    private final int depth;

    public GradientAllReduce(JavaSparkContext jsc, JavaRDD<Example> data, Broadcast<FrozenWeights> base,
                             TaskModelFactory factory, TrainableLayout layout, BatchPlan plan, int microBatch,
                             long seed, int depth) {
        this.jsc = jsc;
        this.data = data;
        this.base = base;
        this.factory = factory;
        this.layout = layout;
        this.plan = plan;
        this.microBatch = microBatch;
        this.seed = seed;
        this.depth = depth;
    }

    /** Runs one step's job and returns the summed result of all partitions. */
    public StepResult step(long step, float[] lora) {
        Broadcast<float[]> current = jsc.broadcast(lora);
        try {
            return data.mapPartitions(new ComputeGradient(base, current, factory, layout, plan, step, microBatch, seed))
                    .treeReduce(StepResult::add, depth);
        } finally {
            current.destroy();
        }
    }

    /** The task function; it captures broadcasts and small settings only. */
    static final class ComputeGradient implements FlatMapFunction<Iterator<Example>, StepResult> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<FrozenWeights> base;
        private final Broadcast<float[]> lora;
        private final TaskModelFactory factory;
        private final TrainableLayout layout;
        private final BatchPlan plan;
        private final long step;
        private final int microBatch;
        private final long seed;

        ComputeGradient(Broadcast<FrozenWeights> base, Broadcast<float[]> lora, TaskModelFactory factory,
                        TrainableLayout layout, BatchPlan plan, long step, int microBatch, long seed) {
            this.base = base;
            this.lora = lora;
            this.factory = factory;
            this.layout = layout;
            this.plan = plan;
            this.step = step;
            this.microBatch = microBatch;
            this.seed = seed;
        }

        @Override
        public Iterator<StepResult> call(Iterator<Example> partition) {
            StepResult r = ExecutorModels.withModel(base, factory, h ->
                    PartitionStep.compute(h, layout, lora.value(), lora.id(), partition, plan, step, microBatch, seed));
            return List.of(r).iterator();
        }
    }
}
