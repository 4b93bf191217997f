package io.sparklora.job.train;

import ai.djl.ndarray.NDManager;
import io.sparklora.job.dist.BatchPlan;
import io.sparklora.job.dist.ExecutorModels;
import io.sparklora.job.dist.FrozenWeights;
import io.sparklora.job.dist.GradientAllReduce;
import io.sparklora.job.dist.PartitionStep;
import io.sparklora.job.dist.StepResult;
import io.sparklora.job.dist.TaskModelFactory;
import io.sparklora.job.dist.TrainableLayout;
import io.sparklora.model.task.Example;
import io.sparklora.model.task.TaskModel;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.util.List;

/**
 * The training loops: {@link #spark} distributes each step over the cached partitions, {@link #local}
 * runs the very same steps in one process. Both call {@link PartitionStep} and {@link DriverOptimizer},
 * so for the same examples and settings they produce the same adapter.
 */
public final class Trainers {
    private Trainers() {}

    /** Called after every completed step with the new state (logging, metrics, checkpoints). */
    @FunctionalInterface
    public interface StepListener {
        void onStep(StepReport report, TrainState state);
    }

    /**
     * The initial trainable values: the factory's model (LoRA A random, B zero, head) read once, its
     * random initialisation drawn from the run's seed.
     */
    public static TrainState initialState(FrozenWeights base, TaskModelFactory factory, TrainSettings s) {
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) (s.seed() ^ (s.seed() >>> 32)));
        try (NDManager m = NDManager.newBaseManager()) {
            TaskModel model = factory.build(base.source(), m);
            TrainableLayout layout = TrainableLayout.of(model.module());
            return TrainState.fresh(layout, layout.read(model.module()), s);
        }
    }

    /**
     * Distributed synchronous training until {@code s.totalSteps()}.
     *
     * @param data examples with indices 0..n-1, partitioned and cached by the caller
     * @param base the broadcast base weights (broadcast once per job by the caller)
     */
    public static TrainState spark(JavaSparkContext jsc, JavaRDD<Example> data, long n, Broadcast<FrozenWeights> base,
                                   TaskModelFactory factory, TrainSettings s, TrainState state, StepListener listener) {
        BatchPlan plan = new BatchPlan(n, s.globalBatch(), s.seed());
        GradientAllReduce allReduce = new GradientAllReduce(jsc, data, base, factory, state.layout, plan,
                s.microBatch(), s.seed(), 2);
        DriverOptimizer optimizer = new DriverOptimizer(s);
        while (state.step < s.totalSteps()) {
            long t0 = System.nanoTime();
            jsc.setJobDescription("sparklora train step " + (state.step + 1) + "/" + s.totalSteps());
            StepResult r = allReduce.step(state.step, state.params);
            StepReport report = optimizer.apply(state, r, plan.epochOf(state.step), System.nanoTime() - t0);
            listener.onStep(report, state);
        }
        return state;
    }

    /** The same loop in one process over a list of examples with indices 0..n-1. */
    public static TrainState local(List<Example> data, FrozenWeights base, TaskModelFactory factory, TrainSettings s,
                                   TrainState state, StepListener listener) {
        BatchPlan plan = new BatchPlan(data.size(), s.globalBatch(), s.seed());
        DriverOptimizer optimizer = new DriverOptimizer(s);
        try (NDManager m = NDManager.newBaseManager()) {
            ExecutorModels.Holder holder = ExecutorModels.standalone(factory.build(base.source(), m));
            while (state.step < s.totalSteps()) {
                long t0 = System.nanoTime();
                StepResult r = PartitionStep.compute(holder, state.layout, state.params, state.step, data.iterator(),
                        plan, state.step, s.microBatch(), s.seed());
                StepReport report = optimizer.apply(state, r, plan.epochOf(state.step), System.nanoTime() - t0);
                listener.onStep(report, state);
            }
        }
        return state;
    }
}
