package io.sparklora.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Objects;

/**
 * The losses of Hugging Face's {@code *ForSequenceClassification}: cross-entropy with int labels
 * for classification, MSE of {@code logits.view(-1)} against float labels for regression (STS-B).
 * Sums are returned so that partial batches can be combined; the mean divides by the count.
 */
public final class SequenceClassificationLoss {
    private SequenceClassificationLoss() {}

    /**
     * @param logits {@code [B, numLabels]}
     * @param labels {@code [B]}: int class ids in {@code [0, numLabels)} for classification, numbers
     *     for regression
     */
    public static LossSum sum(BertConfig.ProblemType problem, NDArray logits, NDArray labels) {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(labels, "labels");
        Shape ls = logits.getShape();
        if (ls.dimension() != 2) {
            throw new IllegalArgumentException("logits must be [batch, num_labels], got " + ls);
        }
        long b = ls.get(0);
        if (!labels.getShape().equals(new Shape(b))) {
            throw new IllegalArgumentException("labels must have shape (" + b + "), got " + labels.getShape());
        }
        if (problem == BertConfig.ProblemType.REGRESSION) {
            if (ls.get(1) != 1) {
                throw new IllegalArgumentException("regression needs logits [batch, 1], got " + ls);
            }
            NDArray target = labels.toType(DataType.FLOAT32, false);
            return new LossSum(logits.reshape(-1).sub(target).square().sum(), b);
        }
        DataType t = labels.getDataType();
        if (t != DataType.INT64 && t != DataType.INT32) {
            throw new IllegalArgumentException("classification labels must be int32 or int64, got " + t);
        }
        long min = labels.min().getLong();
        long max = labels.max().getLong();
        if (min < 0 || max >= ls.get(1)) {
            throw new IllegalArgumentException("classification labels must lie in [0, " + ls.get(1)
                    + "), found values in [" + min + ", " + max + "]");
        }
        NDArray idx = labels.toType(DataType.INT64, false).reshape(b, 1);
        NDArray picked = logits.logSoftmax(-1).gather(idx, 1);
        return new LossSum(picked.sum().neg(), b);
    }

    /** The mean over the batch, as {@code torch.nn.CrossEntropyLoss()} / {@code MSELoss()} compute it. */
    public static NDArray mean(BertConfig.ProblemType problem, NDArray logits, NDArray labels) {
        return sum(problem, logits, labels).mean();
    }
}
