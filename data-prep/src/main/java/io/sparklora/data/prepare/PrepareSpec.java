package io.sparklora.data.prepare;

import io.sparklora.data.task.TaskType;
import io.sparklora.data.tokenize.TokenizerKind;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link PrepareJob} does.
 *
 * @param inputs raw inputs, at least one; each (task, split) at most once
 * @param tokenizer tokenizer family; generation tasks need {@link TokenizerKind#GPT2}
 * @param tokenizerPath Hadoop path of a tokenizer.json, a BERT vocab.txt, or a directory holding one
 * @param maxLength maximum tokens per example, special tokens included (1..100000)
 * @param maxRejectFraction the job fails when a (task, split) rejects more than this fraction of the
 *     records it read (0..1)
 * @param output Hadoop path of the output root
 * @param partitions number of tokenization partitions, 0 = Spark's default parallelism
 */
public record PrepareSpec(List<InputSpec> inputs, TokenizerKind tokenizer, String tokenizerPath, int maxLength,
        double maxRejectFraction, String output, int partitions) {

    public static final double DEFAULT_MAX_REJECT_FRACTION = 0.01;

    public PrepareSpec {
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException("at least one input is required");
        }
        inputs = List.copyOf(inputs);
        Objects.requireNonNull(tokenizer, "tokenizer");
        if (tokenizerPath == null || tokenizerPath.isBlank()) {
            throw new IllegalArgumentException("tokenizer path is required");
        }
        if (maxLength < 1 || maxLength > 100_000) {
            throw new IllegalArgumentException("max length must be in 1..100000, got " + maxLength);
        }
        if (!(maxRejectFraction >= 0 && maxRejectFraction <= 1)) {
            throw new IllegalArgumentException("max reject fraction must be in [0, 1], got " + maxRejectFraction);
        }
        if (output == null || output.isBlank()) {
            throw new IllegalArgumentException("output path is required");
        }
        if (partitions < 0) {
            throw new IllegalArgumentException("partitions must be >= 0, got " + partitions);
        }
        Set<String> seen = new HashSet<>();
        for (InputSpec in : inputs) {
            if (!seen.add(in.task() + "/" + in.split())) {
                throw new IllegalArgumentException("input " + in.task() + "/" + in.split()
                        + " given twice; use a glob to read several files into one split");
            }
            if (in.taskDef().type() == TaskType.GENERATION && tokenizer != TokenizerKind.GPT2) {
                throw new IllegalArgumentException("task " + in.task() + " is generation and needs --tokenizer gpt2, not "
                        + tokenizer.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
    }
}
