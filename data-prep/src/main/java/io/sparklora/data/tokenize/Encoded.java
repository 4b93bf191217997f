package io.sparklora.data.tokenize;

/**
 * One tokenized input without padding: ids, and segment ids ({@code null} when the tokenizer does
 * not use them). {@code truncated} tells whether tokens were removed to fit the maximum length.
 */
public record Encoded(int[] ids, int[] typeIds, boolean truncated) {
    public int length() {
        return ids.length;
    }
}
