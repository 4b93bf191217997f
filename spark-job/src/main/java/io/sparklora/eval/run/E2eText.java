package io.sparklora.eval.run;

import io.sparklora.data.tokenize.TextTokenizer;

/**
 * Generated GPT-2 tokens to a hypothesis line, as microsoft/LoRA's {@code gpt2_decode.py} post-processes
 * them: decode, cut at the first {@code <|endoftext|>} and the first blank line ("\n\n", token 628, the
 * E2E end marker), strip. Remaining line breaks become spaces so that one hypothesis stays one line.
 */
public final class E2eText {
    static final String END_OF_TEXT = "<|endoftext|>";

    private E2eText() {}

    public static String decode(TextTokenizer tokenizer, int[] tokens) {
        if (tokens.length == 0) {
            return "";
        }
        String text = tokenizer.decode(tokens, false);
        int eot = text.indexOf(END_OF_TEXT);
        if (eot >= 0) {
            text = text.substring(0, eot);
        }
        int blank = text.indexOf("\n\n");
        if (blank >= 0) {
            text = text.substring(0, blank);
        }
        return text.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
