package io.sparklora.job.dist;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.task.Batch;
import io.sparklora.model.task.Example;
import io.sparklora.model.task.LossSum;
import io.sparklora.model.task.TaskModel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * One partition's share of one training step: pick its examples of the global batch, run
 * forward/backward in micro-batches, and return the summed gradient, loss sum and count. The
 * single-process loop and the Spark job both call this, so they compute the same numbers.
 */
public final class PartitionStep {
    private PartitionStep() {}

    public static StepResult compute(ExecutorModels.Holder holder, TrainableLayout layout, float[] lora,
                                     long version, Iterator<Example> partition, BatchPlan plan, long step,
                                     int microBatch, long seed) {
        TaskModel model = holder.model();
        if (holder.loadedVersion != version) {
            layout.write(model.module(), lora);
            holder.loadedVersion = version;
        }
        int epoch = plan.epochOf(step);
        List<Example> mine = new ArrayList<>();
        while (partition.hasNext()) {
            Example e = partition.next();
            if (plan.inStep(e.index, step)) {
                mine.add(e);
            }
        }
        // Similar lengths share a micro-batch (less padding); rank breaks ties so the order is fixed.
        mine.sort(Comparator.<Example>comparingInt(Example::length).thenComparingInt(e -> plan.rank(e.index, epoch)));
        StepResult result = new StepResult(layout.size());
        if (mine.isEmpty()) {
            return result;
        }
        long t0 = System.nanoTime();
        model.module().train();
        try (NDManager scratch = model.module().manager().newSubManager()) {
            for (int from = 0; from < mine.size(); from += microBatch) {
                List<Example> micro = mine.subList(from, Math.min(mine.size(), from + microBatch));
                // Dropout masks depend on the data, not on the partitioning or the thread.
                JniUtils.setSeed(seed * 31 + plan.rank(micro.get(0).index, epoch) * 7919L + step);
                try (NDManager s = scratch.newSubManager()) {
                    Batch batch = Batch.of(micro, model.padId(), s);
                    LossSum loss = Autograd.record(() -> model.loss(batch));
                    Autograd.backward(loss.sum());
                    result.lossSum += loss.sum().getFloat();
                    result.count += loss.count();
                    result.examples += batch.size;
                    result.tokens += batch.tokens;
                }
            }
            layout.drainGradients(model.module(), result.gradient, scratch);
        }
        result.computeNanos = System.nanoTime() - t0;
        return result;
    }
}
