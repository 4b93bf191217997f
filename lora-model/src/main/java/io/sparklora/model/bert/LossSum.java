package io.sparklora.model.bert;

import ai.djl.ndarray.NDArray;
import io.sparklora.model.nn.Ops;

/**
 * A loss summed over {@code count} examples. The distributed trainer adds the sums (and the
 * gradients of the sums) of all partitions and divides once by the global count, which gives the
 * mean-loss gradient of the whole batch however the batch was split.
 *
 * @param sum a scalar in the manager of the logits
 * @param count the number of examples summed
 */
public record LossSum(NDArray sum, long count) {
    /** The mean loss over this batch alone (a new scalar next to {@link #sum}). */
    public NDArray mean() {
        return sum.div(Ops.scalar(sum, count));
    }
}
