package io.sparklora.eval.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.job.dist.ExecutorModels;
import io.sparklora.job.dist.TrainableLayout;
import io.sparklora.model.generate.Generation;
import io.sparklora.model.generate.GenerationConfig;
import io.sparklora.model.generate.Generator;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Module;
import io.sparklora.model.task.Batch;
import io.sparklora.model.task.CausalLmTask;
import io.sparklora.model.task.Example;
import io.sparklora.model.task.TaskModel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;

/**
 * One partition's share of an evaluation, run with the model its executor already holds: load the
 * evaluated LoRA values if the holder has others, switch to eval mode (dropout off), work through the
 * partition in length-sorted batches (less padding), and restore the training mode.
 */
public final class EvalPartition {
    private EvalPartition() {}

    /**
     * Scores examples: argmax class of {@code [B, C]} outputs, or the value of {@code [B]} / {@code [B, 1]}
     * regression outputs. Results come back in the order the batches ran; callers key them by index.
     */
    public static List<ScoredExample> classify(ExecutorModels.Holder holder, TrainableLayout layout, float[] lora,
                                               long version, Iterator<Example> partition, int batchSize) {
        List<Example> mine = new ArrayList<>();
        partition.forEachRemaining(mine::add);
        List<ScoredExample> out = new ArrayList<>(mine.size());
        if (mine.isEmpty()) {
            return out;
        }
        mine.sort(Comparator.comparingInt(Example::length).thenComparingLong(e -> e.index));
        TaskModel model = load(holder, layout, lora, version);
        inEvalMode(model.module(), () -> Autograd.noGrad(() -> {
            try (NDManager scratch = model.module().manager().newSubManager()) {
                for (int from = 0; from < mine.size(); from += batchSize) {
                    List<Example> chunk = mine.subList(from, Math.min(mine.size(), from + batchSize));
                    try (NDManager s = scratch.newSubManager()) {
                        Batch batch = Batch.of(chunk, model.padId(), s);
                        score(chunk, model.predict(batch), out);
                    }
                }
            }
            return null;
        }));
        return out;
    }

    /**
     * Decodes every prompt of the partition with {@link Generator} (beam search when
     * {@code cfg.numBeams() > 1}, else greedy), {@code batchSize} prompts at a time.
     */
    public static List<GeneratedSequence> generate(ExecutorModels.Holder holder, TrainableLayout layout, float[] lora,
                                                   long version, Iterator<PromptGroup> partition, GenerationConfig cfg,
                                                   int batchSize) {
        List<PromptGroup> mine = new ArrayList<>();
        partition.forEachRemaining(mine::add);
        List<GeneratedSequence> out = new ArrayList<>(mine.size());
        if (mine.isEmpty()) {
            return out;
        }
        mine.sort(Comparator.comparingInt((PromptGroup p) -> p.prompt.length).thenComparingLong(p -> p.index));
        TaskModel model = load(holder, layout, lora, version);
        if (!(model instanceof CausalLmTask lm)) {
            throw new IllegalArgumentException("generation needs a causal LM (GPT-2) model, got "
                    + model.getClass().getSimpleName());
        }
        Generator generator = new Generator(lm.gpt2());
        inEvalMode(model.module(), () -> {
            for (int from = 0; from < mine.size(); from += batchSize) {
                List<PromptGroup> chunk = mine.subList(from, Math.min(mine.size(), from + batchSize));
                List<int[]> prompts = new ArrayList<>(chunk.size());
                chunk.forEach(p -> prompts.add(p.prompt));
                List<Generation> gens = generator.generate(prompts, cfg);
                for (int i = 0; i < chunk.size(); i++) {
                    Generation g = gens.get(i);
                    out.add(new GeneratedSequence(chunk.get(i), g.tokens(), g.score(), g.endedWithEos()));
                }
            }
            return null;
        });
        return out;
    }

    private static TaskModel load(ExecutorModels.Holder holder, TrainableLayout layout, float[] lora, long version) {
        TaskModel model = holder.model();
        if (holder.loadedVersion != version) {
            layout.write(model.module(), lora);
            holder.loadedVersion = version;
        }
        return model;
    }

    private static <T> T inEvalMode(Module module, Supplier<T> body) {
        boolean training = module.isTraining();
        module.eval();
        try {
            return body.get();
        } finally {
            if (training) {
                module.train();
            }
        }
    }

    private static void score(List<Example> chunk, NDArray output, List<ScoredExample> out) {
        long[] shape = output.getShape().getShape();
        float[] v = output.toFloatArray();
        int b = chunk.size();
        if (shape.length == 0 || shape[0] != b || shape.length > 2) {
            throw new IllegalStateException("predict returned shape " + output.getShape() + " for a batch of " + b
                    + "; expected [B, C] logits or [B] scores");
        }
        int c = shape.length == 2 ? (int) shape[1] : 1;
        for (int i = 0; i < b; i++) {
            Example e = chunk.get(i);
            for (int k = 0; k < c; k++) {
                if (Float.isNaN(v[i * c + k])) {
                    throw new IllegalStateException("the model predicted NaN for example " + e.exampleId);
                }
            }
            double prediction;
            if (c == 1) {
                prediction = v[i];
            } else {
                int best = 0; // ties go to the lower class, as torch.argmax
                for (int k = 1; k < c; k++) {
                    if (v[i * c + k] > v[i * c + best]) {
                        best = k;
                    }
                }
                prediction = best;
            }
            double label = e.label >= 0 ? e.label : Float.isNaN(e.score) ? Double.NaN : e.score;
            out.add(new ScoredExample(e.index, e.exampleId, prediction, label));
        }
    }
}
