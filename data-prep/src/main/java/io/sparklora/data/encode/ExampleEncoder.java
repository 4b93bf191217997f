package io.sparklora.data.encode;

import io.sparklora.data.read.Example;
import io.sparklora.data.task.TaskDef;
import io.sparklora.data.task.TaskType;
import io.sparklora.data.tokenize.Encoded;
import io.sparklora.data.tokenize.TextTokenizer;
import java.util.Arrays;

/** Tokenizes a parsed {@link Example} for its task. */
public final class ExampleEncoder {

    private ExampleEncoder() {}

    /**
     * Classification/regression: single sentence or pair with the tokenizer's template, truncated
     * longest-first to the tokenizer's max length. Generation: {@link LoraLmEncoder} with {@code maxLength}.
     *
     * @throws IllegalArgumentException when the example cannot be encoded (the message is a reject reason)
     */
    public static EncodedExample encode(TaskDef task, Example e, TextTokenizer tokenizer, int maxLength) {
        if (task.type() == TaskType.GENERATION) {
            return LoraLmEncoder.encode(tokenizer, e.textA(), e.textB(), maxLength);
        }
        if (tokenizer.maxLength() != maxLength) {
            throw new IllegalStateException("tokenizer truncates at " + tokenizer.maxLength() + ", expected " + maxLength);
        }
        Encoded enc = e.textB() != null ? tokenizer.encodePair(e.textA(), e.textB()) : tokenizer.encode(e.textA());
        if (enc.length() == 0) {
            throw new IllegalArgumentException("text gives no tokens");
        }
        int[] mask = new int[enc.length()];
        Arrays.fill(mask, 1);
        Integer label = task.type() == TaskType.CLASSIFICATION && e.hasLabel() ? e.label() : null;
        Float score = task.type() == TaskType.REGRESSION && e.hasScore() ? e.score() : null;
        return new EncodedExample(enc.ids(), mask, enc.typeIds(), label, score, null, null, enc.truncated());
    }
}
