package io.sparklora.job.train;

import ai.djl.ndarray.NDManager;
import io.sparklora.job.dist.AdapterTask;
import io.sparklora.job.dist.BatchPlan;
import io.sparklora.job.dist.BroadcastWeights;
import io.sparklora.job.dist.ExecutorModels;
import io.sparklora.job.dist.FrozenWeights;
import io.sparklora.job.dist.GradientAllReduce;
import io.sparklora.job.dist.PartitionStep;
import io.sparklora.job.dist.StepResult;
import io.sparklora.job.dist.TaskModelFactory;
import io.sparklora.job.dist.TorchThread;
import io.sparklora.job.dist.TrainableLayout;
import io.sparklora.model.task.Example;
import io.sparklora.model.task.TaskModel;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

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
        return TorchThread.call(() -> {
            ai.djl.engine.Engine.getInstance().setRandomSeed((int) (s.seed() ^ (s.seed() >>> 32)));
            try (NDManager m = NDManager.newBaseManager()) {
                TaskModel model = factory.build(base.source(), m);
                TrainableLayout layout = TrainableLayout.of(model.module());
                return TrainState.fresh(layout, layout.read(model.module()), s);
            }
        });
    }

    /** One adapter of a distributed run: what executors need, its settings and its driver-side state. */
    public record Adapter(AdapterTask task, TrainSettings settings, TrainState state) {}

    /** Called after each adapter's completed step; {@code adapter} indexes the run's adapter list. */
    @FunctionalInterface
    public interface AdapterStepListener {
        void onStep(int adapter, StepReport report, TrainState state);
    }

    /**
     * Distributed synchronous training of one adapter until {@code s.totalSteps()}.
     *
     * @param data examples with indices 0..n-1, partitioned and cached by the caller
     * @param base the broadcast base weights (broadcast once per job by the caller)
     */
    public static TrainState spark(JavaSparkContext jsc, JavaRDD<Example> data, long n, BroadcastWeights base,
                                   TaskModelFactory factory, TrainSettings s, TrainState state, StepListener listener) {
        AdapterTask task = new AdapterTask(base, factory, state.layout, new BatchPlan(n, s.globalBatch(), s.seed()),
                s.microBatch(), s.seed());
        spark(jsc, data.map(e -> new Tuple2<>(0, e)), List.of(new Adapter(task, s, state)),
                (k, report, st) -> listener.onStep(report, st));
        return state;
    }

    /**
     * Distributed synchronous training of several adapters in the same steps: one Spark job per step
     * computes every unfinished adapter's gradient on the executors' shared base models; each adapter
     * then takes its own optimizer step. An adapter stops at its own {@code totalSteps()}.
     *
     * @param data every adapter's examples (indices 0..n-1 per adapter) tagged with the adapter's list
     *             index, partitioned and cached by the caller
     */
    public static void spark(JavaSparkContext jsc, JavaRDD<Tuple2<Integer, Example>> data, List<Adapter> adapters,
                             AdapterStepListener listener) {
        List<AdapterTask> tasks = adapters.stream().map(Adapter::task).toList();
        GradientAllReduce allReduce = new GradientAllReduce(jsc, data, tasks, 2);
        List<DriverOptimizer> optimizers = adapters.stream().map(a -> new DriverOptimizer(a.settings())).toList();
        int k = adapters.size();
        while (true) {
            long[] steps = new long[k];
            float[][] values = new float[k][];
            boolean any = false;
            for (int i = 0; i < k; i++) {
                TrainState st = adapters.get(i).state();
                boolean active = st.step < adapters.get(i).settings().totalSteps();
                steps[i] = active ? st.step : -1;
                values[i] = active ? st.params : null;
                any |= active;
            }
            if (!any) {
                return;
            }
            long t0 = System.nanoTime();
            jsc.setJobDescription("sparklora train step " + describe(adapters, steps));
            StepResult[] r = allReduce.step(steps, values);
            long nanos = System.nanoTime() - t0;
            jsc.setJobDescription(null); // checkpoint and metric jobs are not steps
            for (int i = 0; i < k; i++) {
                if (steps[i] >= 0) {
                    Adapter a = adapters.get(i);
                    StepReport report = optimizers.get(i).apply(a.state(), r[i], a.task().plan().epochOf(steps[i]), nanos);
                    listener.onStep(i, report, a.state());
                }
            }
        }
    }

    private static String describe(List<Adapter> adapters, long[] steps) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] >= 0) {
                b.append(b.length() == 0 ? "" : ", ").append(steps[i] + 1).append('/')
                        .append(adapters.get(i).settings().totalSteps());
            }
        }
        return b.toString();
    }

    /** The same loop in one process over a list of examples with indices 0..n-1. */
    public static TrainState local(List<Example> data, FrozenWeights base, TaskModelFactory factory, TrainSettings s,
                                   TrainState state, StepListener listener) {
        BatchPlan plan = new BatchPlan(data.size(), s.globalBatch(), s.seed());
        DriverOptimizer optimizer = new DriverOptimizer(s);
        return TorchThread.call(() -> {
            try (NDManager m = NDManager.newBaseManager()) {
                ExecutorModels.Holder holder = ExecutorModels.standalone(factory.build(base.source(), m));
                while (state.step < s.totalSteps()) {
                    long t0 = System.nanoTime();
                    StepResult r = PartitionStep.compute(holder, state.layout, state.params, state.step,
                            data.iterator(), plan, state.step, s.microBatch(), s.seed());
                    StepReport report = optimizer.apply(state, r, plan.epochOf(state.step), System.nanoTime() - t0);
                    listener.onStep(report, state);
                }
            }
            return state;
        });
    }
}
