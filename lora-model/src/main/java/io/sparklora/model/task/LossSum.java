package io.sparklora.model.task;

import ai.djl.ndarray.NDArray;

/**
 * A batch's loss as a sum and the count it is averaged over (examples, or target tokens for a
 * causal LM). Partitions add sums and counts; dividing once by the global count gives exactly the
 * loss, and gradient, of one process over the whole global batch.
 */
public record LossSum(NDArray sum, double count) {}
