package io.sparklora.model.generate;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gpt2_beam.py's post-processing, on hand-worked examples. */
class ScoreProcessorTest {

    @Test
    void bannedNgramsFollowFairseq() {
        // history 1 2 3 1 2, n = 3: the last two tokens (1, 2) were followed by 3 before
        assertEquals(List.of(3), ScoreProcessor.bannedNgramTokens(new int[] {1, 2, 3, 1, 2}, 5, 3));
        // fewer than n-1 tokens so far: nothing is banned
        assertEquals(List.of(), ScoreProcessor.bannedNgramTokens(new int[] {1}, 1, 3));
        // n = 2 after 4 5 4 6 4: 4 was followed by 5 and 6
        assertEquals(List.of(5, 6), ScoreProcessor.bannedNgramTokens(new int[] {4, 5, 4, 6, 4}, 5, 2));
    }

    @Test
    void penaltiesThenLogSoftmax() {
        GenerationConfig cfg = GenerationConfig.builder().repetitionPenalty(2.0).noRepeatNgramSize(0)
                .minLength(3).eosTokenIds(3).build();
        float[] logits = {1f, -1f, 2f, 0.5f};
        double[] out = new double[4];
        new ScoreProcessor(cfg).process(logits, 0, 4, new int[] {0, 1}, 2, out);
        // token 0: 1/2; token 1: -1*2; token 2: 2; token 3 (EOS, before min length): -inf
        double lse = Math.log(Math.exp(0.5) + Math.exp(-2) + Math.exp(2));
        assertEquals(0.5 - lse, out[0], 1e-12);
        assertEquals(-2 - lse, out[1], 1e-12);
        assertEquals(2 - lse, out[2], 1e-12);
        assertTrue(out[3] == Double.NEGATIVE_INFINITY);
    }
}
