package io.sparklora.data.encode;

import io.sparklora.data.tokenize.TextTokenizer;
import io.sparklora.data.tokenize.TokenizerKind;
import java.util.Arrays;

/**
 * Encodes a (context, completion) pair for GPT-2 fine-tuning exactly as microsoft/LoRA's NLG example does.
 *
 * <p>Convention, from microsoft/LoRA (commit c4593f06) {@code examples/NLG}:
 * <ul>
 *   <li>{@code src/format_converting_e2e.py}: each {@code MR||reference} line is stripped and split on
 *       {@code ||}; the {@code ||} itself is a file delimiter only and is never tokenized (the
 *       {@code + '||'} there is commented out). DART/WebNLG contexts are their linearised triples.
 *   <li>{@code src/gpt2_encode.py} with {@code --add_bos --add_eos} (as {@code create_datasets.sh} runs it):
 *       {@code context = encode(context) + [50256]} and {@code completion = encode(' ' + completion) +
 *       [50256]}. So {@code <|endoftext|>} (50256) separates the MR from the reference and ends it.
 *   <li>{@code src/data_utils.py} {@code FT_Dataset}: {@code input = (context + completion)[:max_seq_length]},
 *       {@code target[i] = input[i + 1]}, and the loss mask is 1 exactly for the positions whose target
 *       is a completion token ({@code i >= len(context) - 1}); {@code src/model.py} computes the loss with
 *       {@code CrossEntropyLoss(ignore_index=-1)} times that mask, divided by the mask sum.
 * </ul>
 *
 * <p>Here that target and mask are folded into one array {@code lmLabels}, aligned with {@code inputIds}
 * and <b>already shifted</b>: {@code lmLabels[i]} is the token to predict at position {@code i}, i.e.
 * {@code inputIds[i + 1]} when that is a completion token (reference or its final 50256), else
 * {@link #IGNORE_INDEX} (-1, microsoft/LoRA's ignore index) for context positions and the last position.
 * A trainer takes cross-entropy of {@code logits[i]} against {@code lmLabels[i]} where it is not -1, with
 * no further shift, and pads {@code lmLabels} with -1. {@code promptLength} is {@code len(context)}
 * (MR tokens plus the separator), the prefix to feed for generation.
 *
 * <p>For inputs without a reference (the MR-only E2E test file) only the context is encoded and every
 * label is -1.
 */
public final class LoraLmEncoder {

    /** microsoft/LoRA's ignore index for the LM loss. */
    public static final int IGNORE_INDEX = -1;

    private LoraLmEncoder() {}

    /**
     * @param maxLength maximum total tokens (LoRA's {@code max_seq_length}); 0 = no limit
     * @throws IllegalArgumentException if the context alone leaves no room for any completion token
     */
    public static EncodedExample encode(TextTokenizer tokenizer, String context, String completion, int maxLength) {
        if (tokenizer.kind() != TokenizerKind.GPT2) {
            throw new IllegalArgumentException("generation tasks use the GPT-2 tokenizer, not " + tokenizer.kind());
        }
        int eos = TextTokenizer.GPT2_EOS_ID;
        int[] ctx = append(tokenizer.encodeIds(context), eos);
        int[] cmp = completion == null ? new int[0] : append(tokenizer.encodeIds(" " + completion), eos);
        int total = ctx.length + cmp.length;
        int n = maxLength > 0 ? Math.min(maxLength, total) : total;
        if (completion != null && n <= ctx.length) {
            throw new IllegalArgumentException("context has " + ctx.length + " tokens; max length " + maxLength
                    + " leaves no reference token");
        }
        int[] ids = new int[n];
        System.arraycopy(ctx, 0, ids, 0, Math.min(ctx.length, n));
        if (n > ctx.length) {
            System.arraycopy(cmp, 0, ids, ctx.length, n - ctx.length);
        }
        int[] labels = new int[n];
        Arrays.fill(labels, IGNORE_INDEX);
        for (int i = ctx.length - 1; i + 1 < n; i++) {
            labels[i] = ids[i + 1];
        }
        int[] mask = new int[n];
        Arrays.fill(mask, 1);
        return new EncodedExample(ids, mask, null, null, null, labels, Math.min(ctx.length, n), n < total);
    }

    private static int[] append(int[] a, int x) {
        int[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = x;
        return r;
    }
}
