package io.sparklora.data.read;

import java.io.Serializable;

/**
 * One parsed input record, before tokenization.
 *
 * @param file the source file (as given to the reader)
 * @param line the 1-based physical line where the record starts (for JSON: the line of its object)
 * @param index the 0-based record index within the file (rejected records count too, the header not)
 * @param textA first sentence; for generation the linearised input (context)
 * @param textB second sentence, or the reference/completion for generation; {@code null} when absent
 * @param label class id, or {@link #NO_LABEL}
 * @param score regression score, or {@code NaN}
 * @param promptId for generation: 0-based index of the distinct context within the file (first
 *     appearance order), so references of one input can be grouped; {@code -1} otherwise
 */
public record Example(String file, long line, long index, String textA, String textB, int label, float score,
        long promptId) implements Serializable {

    public static final int NO_LABEL = -1;

    public boolean hasLabel() {
        return label != NO_LABEL;
    }

    public boolean hasScore() {
        return !Float.isNaN(score);
    }
}
