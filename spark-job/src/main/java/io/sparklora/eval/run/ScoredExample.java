package io.sparklora.eval.run;

import java.io.Serializable;

/**
 * What an executor returns per classification example: the predicted class (argmax of the logits) or,
 * for a regression head, the predicted score, with the gold value carried along.
 */
public final class ScoredExample implements Serializable {
    private static final long serialVersionUID = 1L;

    public final long index;
    public final String exampleId;
    /** Argmax class id (as a double) or regression score. */
    public final double prediction;
    /** Gold class id or score; NaN when the split is unlabelled. */
    public final double label;

    public ScoredExample(long index, String exampleId, double prediction, double label) {
        this.index = index;
        this.exampleId = exampleId;
        this.prediction = prediction;
        this.label = label;
    }

    public boolean hasLabel() {
        return !Double.isNaN(label);
    }
}
