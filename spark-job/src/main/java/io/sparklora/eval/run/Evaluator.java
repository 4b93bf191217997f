package io.sparklora.eval.run;

import io.sparklora.data.tokenize.TextTokenizer;
import io.sparklora.eval.GlueTask;
import io.sparklora.job.dist.ExecutorModels;
import io.sparklora.job.dist.BroadcastWeights;
import io.sparklora.job.dist.TaskModelFactory;
import io.sparklora.job.dist.TrainableLayout;
import io.sparklora.model.generate.GenerationConfig;
import io.sparklora.model.task.Example;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * Distributed evaluation on the driver's side, with the training job's broadcast base weights and
 * model factory, so executors reuse the model they already hold ({@link ExecutorModels}). Each call
 * broadcasts the evaluated LoRA vector (as a training step does, destroyed afterwards), runs one job
 * in which every partition scores or decodes its own examples ({@link EvalPartition}), and collects the
 * per-example results; corpus-level metrics are computed on the driver from them.
 */
public final class Evaluator {
    private static final Logger LOG = LoggerFactory.getLogger(Evaluator.class);
    public static final int DEFAULT_CLASSIFY_BATCH = 32;
    public static final int DEFAULT_GENERATE_BATCH = 8;

    private final JavaSparkContext jsc;
    private final BroadcastWeights base;
    private final TaskModelFactory factory;
    private final TrainableLayout layout;

    public Evaluator(JavaSparkContext jsc, BroadcastWeights base, TaskModelFactory factory,
                     TrainableLayout layout) {
        this.jsc = Objects.requireNonNull(jsc, "jsc");
        this.base = Objects.requireNonNull(base, "base");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.layout = Objects.requireNonNull(layout, "layout");
    }

    /** Per-example predictions of every example, sorted by index. */
    public List<ScoredExample> score(JavaRDD<Example> data, float[] trainable, int batchSize) {
        Objects.requireNonNull(data, "data");
        checkArgs(trainable, batchSize);
        Broadcast<float[]> current = jsc.broadcast(trainable);
        try {
            long t0 = System.nanoTime();
            List<ScoredExample> out = new ArrayList<>(
                    data.mapPartitions(new Classify(base, current, factory, layout, batchSize)).collect());
            out.sort(Comparator.comparingLong(s -> s.index));
            checkDistinct(out.stream().mapToLong(s -> s.index).toArray());
            LOG.info("scored {} examples in {} ms", out.size(), (System.nanoTime() - t0) / 1_000_000);
            return out;
        } finally {
            current.destroy();
        }
    }

    /** Scores {@code data} and computes {@code task}'s GLUE metrics on the driver (none if unlabelled). */
    public ClassificationEval classify(JavaRDD<Example> data, GlueTask task, float[] trainable, int batchSize) {
        Objects.requireNonNull(task, "task");
        return ClassificationEval.of(task, score(data, trainable, batchSize));
    }

    /** {@link #classify(JavaRDD, GlueTask, float[], int)} with {@link #DEFAULT_CLASSIFY_BATCH}. */
    public ClassificationEval classify(JavaRDD<Example> data, GlueTask task, float[] trainable) {
        return classify(data, task, trainable, DEFAULT_CLASSIFY_BATCH);
    }

    /** Decodes every prompt; results sorted by prompt index. */
    public List<GeneratedSequence> generateTokens(JavaRDD<PromptGroup> prompts, float[] trainable,
                                                  GenerationConfig cfg, int batchSize) {
        Objects.requireNonNull(prompts, "prompts");
        Objects.requireNonNull(cfg, "cfg");
        checkArgs(trainable, batchSize);
        Broadcast<float[]> current = jsc.broadcast(trainable);
        try {
            long t0 = System.nanoTime();
            List<GeneratedSequence> out = new ArrayList<>(
                    prompts.mapPartitions(new Generate(base, current, factory, layout, cfg, batchSize)).collect());
            out.sort(Comparator.comparingLong(g -> g.input.index));
            checkDistinct(out.stream().mapToLong(g -> g.input.index).toArray());
            LOG.info("generated for {} prompts in {} ms ({})", out.size(), (System.nanoTime() - t0) / 1_000_000, cfg);
            return out;
        } finally {
            current.destroy();
        }
    }

    /**
     * Decodes every prompt, turns the tokens into text with {@code tokenizer} (GPT-2) on the driver and
     * computes the E2E metrics against each prompt's references.
     */
    public GenerationEval generate(JavaRDD<PromptGroup> prompts, float[] trainable, GenerationConfig cfg,
                                   int batchSize, TextTokenizer tokenizer) {
        Objects.requireNonNull(tokenizer, "tokenizer");
        return GenerationEval.of(generateTokens(prompts, trainable, cfg, batchSize), tokenizer);
    }

    /** microsoft/LoRA's E2E decoding ({@link GenerationConfig#e2e()}), {@link #DEFAULT_GENERATE_BATCH} prompts a batch. */
    public GenerationEval generate(JavaRDD<PromptGroup> prompts, float[] trainable, TextTokenizer tokenizer) {
        return generate(prompts, trainable, GenerationConfig.e2e(), DEFAULT_GENERATE_BATCH, tokenizer);
    }

    private void checkArgs(float[] trainable, int batchSize) {
        Objects.requireNonNull(trainable, "trainable");
        if (trainable.length != layout.size()) {
            throw new IllegalArgumentException("trainable vector has " + trainable.length + " values, the layout "
                    + layout.size());
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        }
    }

    private static void checkDistinct(long[] sortedIndices) {
        for (int i = 1; i < sortedIndices.length; i++) {
            if (sortedIndices[i] == sortedIndices[i - 1]) {
                throw new IllegalArgumentException("index " + sortedIndices[i]
                        + " occurs twice in the evaluation data; indices must be unique");
            }
        }
    }

    /** The classification task function; it captures broadcasts and small settings only. */
    static final class Classify implements FlatMapFunction<Iterator<Example>, ScoredExample> {
        private static final long serialVersionUID = 1L;
        private final BroadcastWeights base;
        private final Broadcast<float[]> lora;
        private final TaskModelFactory factory;
        private final TrainableLayout layout;
        private final int batchSize;

        Classify(BroadcastWeights base, Broadcast<float[]> lora, TaskModelFactory factory,
                 TrainableLayout layout, int batchSize) {
            this.base = base;
            this.lora = lora;
            this.factory = factory;
            this.layout = layout;
            this.batchSize = batchSize;
        }

        @Override
        public Iterator<ScoredExample> call(Iterator<Example> input) {
            // Read on the task's thread (Spark's iterators may need its TaskContext); the model computes on its own.
            List<Example> rows = new ArrayList<>();
            input.forEachRemaining(rows::add);
            Iterator<Example> partition = rows.iterator();
            return ExecutorModels.withModel(base, factory, h ->
                    EvalPartition.classify(h, layout, lora.value(), ExecutorModels.version(lora.id(), 0), partition, batchSize)).iterator();
        }
    }

    /** The generation task function. */
    static final class Generate implements FlatMapFunction<Iterator<PromptGroup>, GeneratedSequence> {
        private static final long serialVersionUID = 1L;
        private final BroadcastWeights base;
        private final Broadcast<float[]> lora;
        private final TaskModelFactory factory;
        private final TrainableLayout layout;
        private final GenerationConfig cfg;
        private final int batchSize;

        Generate(BroadcastWeights base, Broadcast<float[]> lora, TaskModelFactory factory,
                 TrainableLayout layout, GenerationConfig cfg, int batchSize) {
            this.base = base;
            this.lora = lora;
            this.factory = factory;
            this.layout = layout;
            this.cfg = cfg;
            this.batchSize = batchSize;
        }

        @Override
        public Iterator<GeneratedSequence> call(Iterator<PromptGroup> input) {
            List<PromptGroup> rows = new ArrayList<>();
            input.forEachRemaining(rows::add);
            Iterator<PromptGroup> partition = rows.iterator();
            return ExecutorModels.withModel(base, factory, h ->
                    EvalPartition.generate(h, layout, lora.value(), ExecutorModels.version(lora.id(), 0), partition, cfg, batchSize)).iterator();
        }
    }
}
