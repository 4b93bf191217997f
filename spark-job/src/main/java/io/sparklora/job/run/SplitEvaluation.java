package io.sparklora.job.run;

import io.sparklora.data.task.TaskType;
import io.sparklora.data.tokenize.TextTokenizer;
import io.sparklora.data.tokenize.TokenizerKind;
import io.sparklora.data.tokenize.Tokenizers;
import io.sparklora.eval.GlueTask;
import io.sparklora.eval.run.EvalData;
import io.sparklora.eval.run.EvalOutput;
import io.sparklora.eval.run.Evaluator;
import io.sparklora.eval.run.PromptGroup;
import io.sparklora.job.config.TrainConfig;
import io.sparklora.job.train.TrainState;
import io.sparklora.model.generate.GenerationConfig;
import io.sparklora.model.io.Storage;
import io.sparklora.model.task.Example;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The job's evaluation on its eval split, run on the executors that hold the model: GLUE metrics
 * for classification and regression, E2E metrics after beam search for generation. Predictions and
 * metric rows go to the output's Parquet tables.
 */
public final class SplitEvaluation implements TrainJob.Evaluation {
    private static final long MAX_TOKENIZER_BYTES = 64L << 20;
    /** Each adapter's eval split, read once per job. */
    private final Map<String, JavaRDD<Example>> examplesByAdapter = new HashMap<>();
    private final Map<String, JavaRDD<PromptGroup>> promptsByAdapter = new HashMap<>();

    @Override
    public Map<String, Double> evaluate(TrainJob.Context ctx, TrainState state, long step) {
        TrainConfig cfg = ctx.config();
        String task = ctx.task().id();
        Evaluator evaluator = new Evaluator(ctx.jsc(), ctx.base(), ctx.factory(), state.layout);
        EvalOutput out = new EvalOutput(ctx.spark(), cfg.output(), cfg.runId(), ctx.adapter());
        int epoch = (int) ((step - 1) / Math.max(1, ctx.stepsPerEpoch()));
        int partitions = ctx.jsc().defaultParallelism();
        JavaRDD<Example> examples = examplesByAdapter.get(ctx.adapter());
        JavaRDD<PromptGroup> prompts = promptsByAdapter.get(ctx.adapter());
        if (examples == null && prompts == null) {
            EvalData data = EvalData.fromPrepared(ctx.spark(), cfg.preparedData(), task, cfg.evalSplit());
            if (ctx.task().type() == TaskType.GENERATION) {
                prompts = limit(data.prompts(partitions), cfg.maxEvalExamples()).persist(StorageLevel.MEMORY_AND_DISK());
                promptsByAdapter.put(ctx.adapter(), prompts);
            } else {
                examples = limit(data.examples(partitions), cfg.maxEvalExamples()).persist(StorageLevel.MEMORY_AND_DISK());
                examplesByAdapter.put(ctx.adapter(), examples);
            }
        }
        if (prompts != null) {
            GenerationConfig gen = GenerationConfig.builder().numBeams(cfg.beams()).lengthPenalty(cfg.lengthPenalty())
                    .noRepeatNgramSize(cfg.noRepeatNgramSize()).maxNewTokens(cfg.maxNewTokens())
                    .eosTokenIds(GenerationConfig.GPT2_EOS, 628).build();
            var eval = evaluator.generate(prompts, state.params, gen, cfg.evalBatchSize(), gpt2Tokenizer(ctx, cfg));
            out.write(task, cfg.evalSplit(), step, epoch, eval);
            return eval.metrics();
        }
        var eval = evaluator.classify(examples, GlueTask.parse(task), state.params, cfg.evalBatchSize());
        out.write(task, cfg.evalSplit(), step, epoch, eval);
        return eval.metrics();
    }

    private static <T> JavaRDD<T> limit(JavaRDD<T> rdd, int max) {
        return max > 0 ? rdd.zipWithIndex().filter(t -> t._2() < max).map(t -> t._1()) : rdd;
    }

    /**
     * The model's own tokenizer.json when it has one (read through Hadoop's FileSystem, so s3a:// model
     * paths work), else the GPT-2 files shipped in data/vocab/gpt2.
     */
    private static TextTokenizer gpt2Tokenizer(TrainJob.Context ctx, TrainConfig cfg) {
        Storage storage = new Storage(ctx.spark().sparkContext().hadoopConfiguration());
        String own = cfg.modelPath().replaceAll("/+$", "") + "/tokenizer.json";
        try {
            if (storage.exists(own)) {
                String json = new String(storage.readAllBytes(own, MAX_TOKENIZER_BYTES), StandardCharsets.UTF_8);
                return Tokenizers.create(Tokenizers.specFromText(TokenizerKind.GPT2, "tokenizer.json", json), 0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model's tokenizer " + own, e);
        }
        return Tokenizers.create(Tokenizers.spec(TokenizerKind.GPT2, Path.of("data/vocab/gpt2")), 0);
    }
}
