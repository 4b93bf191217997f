package io.sparklora.data.tokenize;

import java.util.Locale;

/** The tokenizer families the project supports. */
public enum TokenizerKind {
    /** BERT WordPiece (uncased): {@code [CLS] A [SEP] B [SEP]} with token types 0/1. */
    BERT,
    /** GPT-2 byte-level BPE; no special tokens are added. */
    GPT2,
    /** RoBERTa: GPT-2 byte-level BPE with {@code <s> A </s></s> B </s>}, token types all 0. */
    ROBERTA;

    /** Parses {@code bert}, {@code gpt2} or {@code roberta} (case-insensitive). */
    public static TokenizerKind parse(String name) {
        if (name == null) {
            throw new IllegalArgumentException("tokenizer kind is null; expected bert, gpt2 or roberta");
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace("-", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown tokenizer kind '" + name + "'; expected bert, gpt2 or roberta", e);
        }
    }

    /** Whether pairs get segment ids 0/1 that the model consumes (only BERT). */
    public boolean usesTokenTypes() {
        return this == BERT;
    }
}
