package io.sparklora.eval.run;

import java.io.Serializable;
import java.util.Objects;

/**
 * One distinct generation input (an E2E meaning representation) with every reference written for it:
 * the prepared rows sharing ({@code source_file}, {@code prompt_id}) collapse into one, so each input is
 * decoded once however many references it has.
 */
public final class PromptGroup implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Position among the split's distinct inputs, ordered by (source file, prompt id); 0-based. */
    public final long index;
    public final long promptId;
    /** The smallest {@code example_id} of the group, the key of its predictions row. */
    public final long exampleId;
    /** The {@code prompt_length} prefix of {@code input_ids}: context plus the 50256 separator. */
    public final int[] prompt;
    /** The linearised input ({@code text_a}). */
    public final String context;
    /** The references ({@code text_b}) in {@code example_id} order; empty for an unreferenced test file. */
    public final String[] references;

    public PromptGroup(long index, long promptId, long exampleId, int[] prompt, String context, String[] references) {
        this.index = index;
        this.promptId = promptId;
        this.exampleId = exampleId;
        this.prompt = Objects.requireNonNull(prompt, "prompt");
        if (prompt.length == 0) {
            throw new IllegalArgumentException("prompt " + promptId + " (example " + exampleId + ") has no tokens");
        }
        this.context = context;
        this.references = references == null ? new String[0] : references;
    }
}
