package io.sparklora.job.dist;

import io.sparklora.model.task.Example;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * The all-reduce of one step, Spark MLlib's way: broadcast the current LoRA values (kilobytes),
 * let every partition of the cached training data compute its gradients with the models its executor
 * already holds, and sum the per-partition results with {@code treeReduce}. Only LoRA-sized arrays
 * travel; the base weights went out once, in each adapter's base broadcast.
 *
 * <p>Several adapters train in the same steps: the data holds every adapter's examples tagged with
 * its index, one Spark job per step computes all of them, and each adapter's gradient is summed in
 * its own slot, never mixed with another's.
 */
public final class GradientAllReduce {
    private final JavaSparkContext jsc;
    private final JavaRDD<Tuple2<Integer, Example>> data;
    private final List<AdapterTask> adapters;
    private final int depth;

    /**
     * @param data examples tagged with the index of their adapter in {@code adapters}, cached by the caller
     */
    public GradientAllReduce(JavaSparkContext jsc, JavaRDD<Tuple2<Integer, Example>> data, List<AdapterTask> adapters,
                             int depth) {
        if (adapters.isEmpty() || adapters.size() > MAX_ADAPTERS) {
            throw new IllegalArgumentException("1 to " + MAX_ADAPTERS + " adapters per job, got " + adapters.size());
        }
        this.jsc = jsc;
        this.data = data;
        this.adapters = List.copyOf(adapters);
        this.depth = depth;
    }

    static final int MAX_ADAPTERS = 1 << 12;

    /**
     * Runs one step's job.
     *
     * @param steps the step each adapter computes (its own count of completed steps), or -1 for an
     *              adapter that has finished
     * @param lora  each adapter's current trainable values (null for finished ones)
     * @return each adapter's summed result, null for finished ones
     */
    public StepResult[] step(long[] steps, float[][] lora) {
        if (steps.length != adapters.size() || lora.length != adapters.size()) {
            throw new IllegalArgumentException("need one step and one vector per adapter (" + adapters.size() + ")");
        }
        Broadcast<float[][]> current = jsc.broadcast(lora);
        try {
            return data.mapPartitions(new ComputeGradients(adapters, current, steps.clone()))
                    .treeReduce(GradientAllReduce::add, depth);
        } finally {
            current.destroy();
        }
    }

    static StepResult[] add(StepResult[] a, StepResult[] b) {
        for (int k = 0; k < a.length; k++) {
            if (a[k] == null) {
                a[k] = b[k];
            } else if (b[k] != null) {
                a[k].add(b[k]);
            }
        }
        return a;
    }

    /** The task function; it captures broadcasts and small settings only. */
    static final class ComputeGradients implements FlatMapFunction<Iterator<Tuple2<Integer, Example>>, StepResult[]> {
        private static final long serialVersionUID = 1L;
        private final List<AdapterTask> adapters;
        private final Broadcast<float[][]> lora;
        private final long[] steps;

        ComputeGradients(List<AdapterTask> adapters, Broadcast<float[][]> lora, long[] steps) {
            this.adapters = adapters;
            this.lora = lora;
            this.steps = steps;
        }

        @Override
        public Iterator<StepResult[]> call(Iterator<Tuple2<Integer, Example>> partition) {
            List<List<Example>> byAdapter = new ArrayList<>();
            for (int k = 0; k < adapters.size(); k++) {
                byAdapter.add(new ArrayList<>());
            }
            // Read here, on the task's thread; PartitionStep picks each adapter's examples of its step.
            while (partition.hasNext()) {
                Tuple2<Integer, Example> t = partition.next();
                if (steps[t._1()] >= 0) {
                    byAdapter.get(t._1()).add(t._2());
                }
            }
            StepResult[] out = new StepResult[adapters.size()];
            float[][] values = lora.value();
            for (int k = 0; k < out.length; k++) {
                if (steps[k] < 0) {
                    continue;
                }
                AdapterTask a = adapters.get(k);
                List<Example> mine = byAdapter.get(k);
                // Adapters with the same architecture take turns on one model: the version names both.
                long version = ExecutorModels.version(lora.id(), k);
                float[] v = values[k];
                long step = steps[k];
                out[k] = ExecutorModels.withModel(a.base(), a.factory(), h -> PartitionStep.compute(h, a.layout(), v,
                        version, mine.iterator(), a.plan(), step, a.microBatch(), a.seed()));
            }
            return Collections.singletonList(out).iterator();
        }
    }
}
