package io.sparklora.eval.run;

import java.io.Serializable;

/** What an executor returns per generation input: the decoded token ids (EOS dropped) and its input. */
public final class GeneratedSequence implements Serializable {
    private static final long serialVersionUID = 1L;

    public final PromptGroup input;
    public final int[] tokens;
    /** The hypothesis score ({@code Σ log p / length^lengthPenalty}). */
    public final double score;
    public final boolean endedWithEos;

    public GeneratedSequence(PromptGroup input, int[] tokens, double score, boolean endedWithEos) {
        this.input = input;
        this.tokens = tokens;
        this.score = score;
        this.endedWithEos = endedWithEos;
    }
}
