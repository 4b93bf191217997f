package io.sparklora.model.generate;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Decoding options of microsoft/LoRA's {@code examples/NLG/src/gpt2_beam.py}, with its defaults
 * (beam 1, length penalty 1, no-repeat n-gram size 4, repetition penalty 1, min length 0, EOS
 * 50256, eval_len 256). {@link #e2e()} is the setting its README uses for E2E.
 */
public final class GenerationConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** GPT-2's {@code <|endoftext|>}. */
    public static final int GPT2_EOS = 50256;

    private final int maxNewTokens;
    private final int numBeams;
    private final double lengthPenalty;
    private final int noRepeatNgramSize;
    private final double repetitionPenalty;
    private final int minLength;
    private final int[] eosTokenIds;
    private final boolean useCache;

    private GenerationConfig(Builder b) {
        this.maxNewTokens = b.maxNewTokens;
        this.numBeams = b.numBeams;
        this.lengthPenalty = b.lengthPenalty;
        this.noRepeatNgramSize = b.noRepeatNgramSize;
        this.repetitionPenalty = b.repetitionPenalty;
        this.minLength = b.minLength;
        this.eosTokenIds = b.eosTokenIds.clone();
        this.useCache = b.useCache;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * microsoft/LoRA's E2E decoding: {@code --beam 10 --length_penalty 0.8 --no_repeat_ngram_size 4
     * --repetition_penalty 1.0 --eos_token_id 628 --eval_len 64}; {@code --eos_token_id} appends to
     * the default 50256, so both end a sequence.
     */
    public static GenerationConfig e2e() {
        return builder().numBeams(10).lengthPenalty(0.8).noRepeatNgramSize(4).repetitionPenalty(1.0)
                .eosTokenIds(GPT2_EOS, 628).maxNewTokens(64).build();
    }

    /** {@code eval_len}: the most tokens generated per prompt, EOS included. */
    public int maxNewTokens() {
        return maxNewTokens;
    }

    public int numBeams() {
        return numBeams;
    }

    /** A finished hypothesis scores {@code Σ log p / length^lengthPenalty}. */
    public double lengthPenalty() {
        return lengthPenalty;
    }

    /** 0 disables; counts generated tokens only, as gpt2_beam.py does. */
    public int noRepeatNgramSize() {
        return noRepeatNgramSize;
    }

    /** CTRL's penalty on logits of already generated tokens; 1 disables. */
    public double repetitionPenalty() {
        return repetitionPenalty;
    }

    /** EOS is forbidden while fewer tokens than this were generated. */
    public int minLength() {
        return minLength;
    }

    public int[] eosTokenIds() {
        return eosTokenIds.clone();
    }

    public boolean isEos(int token) {
        for (int e : eosTokenIds) {
            if (e == token) {
                return true;
            }
        }
        return false;
    }

    /** Reuse keys/values of earlier positions (true) or recompute the whole prefix every step. */
    public boolean useCache() {
        return useCache;
    }

    @Override
    public String toString() {
        return "GenerationConfig{maxNewTokens=" + maxNewTokens + ", numBeams=" + numBeams + ", lengthPenalty="
                + lengthPenalty + ", noRepeatNgramSize=" + noRepeatNgramSize + ", repetitionPenalty="
                + repetitionPenalty + ", minLength=" + minLength + ", eos=" + Arrays.toString(eosTokenIds)
                + ", useCache=" + useCache + '}';
    }

    /** Builder with gpt2_beam.py's defaults. */
    public static final class Builder {
        private int maxNewTokens = 256;
        private int numBeams = 1;
        private double lengthPenalty = 1.0;
        private int noRepeatNgramSize = 4;
        private double repetitionPenalty = 1.0;
        private int minLength;
        private int[] eosTokenIds = {GPT2_EOS};
        private boolean useCache = true;

        public Builder maxNewTokens(int v) {
            this.maxNewTokens = v;
            return this;
        }

        public Builder numBeams(int v) {
            this.numBeams = v;
            return this;
        }

        public Builder lengthPenalty(double v) {
            this.lengthPenalty = v;
            return this;
        }

        public Builder noRepeatNgramSize(int v) {
            this.noRepeatNgramSize = v;
            return this;
        }

        public Builder repetitionPenalty(double v) {
            this.repetitionPenalty = v;
            return this;
        }

        public Builder minLength(int v) {
            this.minLength = v;
            return this;
        }

        /** Tokens that end a hypothesis; none means only {@code maxNewTokens} ends it. */
        public Builder eosTokenIds(int... ids) {
            this.eosTokenIds = ids.clone();
            return this;
        }

        public Builder useCache(boolean v) {
            this.useCache = v;
            return this;
        }

        public GenerationConfig build() {
            if (maxNewTokens <= 0) {
                throw new IllegalArgumentException("maxNewTokens must be > 0, got " + maxNewTokens);
            }
            if (numBeams <= 0) {
                throw new IllegalArgumentException("numBeams must be > 0, got " + numBeams);
            }
            if (!Double.isFinite(lengthPenalty)) {
                throw new IllegalArgumentException("lengthPenalty must be finite, got " + lengthPenalty);
            }
            if (noRepeatNgramSize < 0 || minLength < 0) {
                throw new IllegalArgumentException("noRepeatNgramSize and minLength must be >= 0, got "
                        + noRepeatNgramSize + " and " + minLength);
            }
            if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
                throw new IllegalArgumentException("repetitionPenalty must be > 0, got " + repetitionPenalty);
            }
            for (int e : eosTokenIds) {
                if (e < 0) {
                    throw new IllegalArgumentException("EOS token ids must be >= 0, got " + e);
                }
            }
            return new GenerationConfig(this);
        }
    }
}
