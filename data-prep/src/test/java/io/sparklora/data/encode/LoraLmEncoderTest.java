package io.sparklora.data.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklora.data.TestFiles;
import io.sparklora.data.tokenize.TextTokenizer;
import io.sparklora.data.tokenize.TokenizerKind;
import io.sparklora.data.tokenize.Tokenizers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link LoraLmEncoder} against a literal transcription of microsoft/LoRA's
 * {@code FT_Dataset.__getitem__} (no prefix/infix, {@code joint_lm=False}): its {@code target} and
 * {@code mask} lists, folded into one label array (label = target where mask is 1, else -1).
 */
class LoraLmEncoderTest {

    private static TextTokenizer gpt2;

    @BeforeAll
    static void load() {
        gpt2 = Tokenizers.create(Tokenizers.spec(TokenizerKind.GPT2, TestFiles.repoData().resolve("vocab/gpt2")), 0);
    }

    @AfterAll
    static void close() {
        gpt2.close();
    }

    @Test
    void matchesLorasDatasetWithAndWithoutTruncation() {
        String mr = "name : The Vaults | Type : pub | price : more than £ 30";
        String ref = "The Vaults is a pub with prices over £ 30 .";
        List<Integer> context = ids(gpt2.encodeIds(mr));
        context.add(50256);
        List<Integer> completion = ids(gpt2.encodeIds(" " + ref));
        completion.add(50256);
        int full = context.size() + completion.size();
        for (int max : new int[] {0, full, full - 3, context.size() + 1}) {
            EncodedExample e = LoraLmEncoder.encode(gpt2, mr, ref, max);
            int maxSeq = max == 0 ? full : max;
            // FT_Dataset: _input, _input_len = padding_tokens(conditions + completion, max_seq_length, 0, 1)
            List<Integer> all = new ArrayList<>(context);
            all.addAll(completion);
            List<Integer> input = all.subList(0, Math.min(maxSeq, all.size()));
            int inputLen = input.size();
            // _target = padding_tokens((context + completion)[1:], max_seq_length, 0, 1)
            List<Integer> target = all.subList(1, Math.min(all.size(), maxSeq + 1));
            // _msk = [0.0] * (len(conditions) - 1) + [1.0] * (_input_len - len(conditions))
            List<Double> mask = new ArrayList<>();
            for (int i = 0; i < context.size() - 1; i++) {
                mask.add(0.0);
            }
            for (int i = 0; i < inputLen - context.size(); i++) {
                mask.add(1.0);
            }
            int[] expectedLabels = new int[inputLen];
            for (int i = 0; i < inputLen; i++) {
                boolean on = i < mask.size() && mask.get(i) == 1.0;
                expectedLabels[i] = on ? target.get(i) : -1;
            }
            assertArrayEquals(input.stream().mapToInt(Integer::intValue).toArray(), e.inputIds(), "max " + max);
            assertArrayEquals(expectedLabels, e.lmLabels(), "max " + max);
            assertEquals(context.size(), e.promptLength());
            assertEquals(inputLen < full, e.truncated());
            assertEquals(inputLen, e.attentionMask().length);
        }
    }

    @Test
    void contextFillingTheLimitIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoraLmEncoder.encode(gpt2, "name : The Vaults", "A pub .", 4));
        assertTrue(e.getMessage().contains("leaves no reference token"), e.getMessage());
    }

    @Test
    void inputOnlyHasNoTargets() {
        EncodedExample e = LoraLmEncoder.encode(gpt2, "name : The Vaults", null, 0);
        assertEquals(50256, e.inputIds()[e.length() - 1]);
        for (int l : e.lmLabels()) {
            assertEquals(-1, l);
        }
        assertEquals(e.length(), e.promptLength());
    }

    private static List<Integer> ids(int[] a) {
        List<Integer> l = new ArrayList<>();
        for (int x : a) {
            l.add(x);
        }
        return l;
    }
}
