package io.sparklora.job.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.sparklora.model.generate.Generation;
import io.sparklora.model.generate.GenerationConfig;
import io.sparklora.model.generate.Generator;
import io.sparklora.model.gpt2.Gpt2Config;
import io.sparklora.model.gpt2.Gpt2LMHeadModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Random;

/**
 * Decoding speed of a random GPT-2 with the KV cache: one fixed prompt, batch 1, greedy or beam
 * search. EOS is forbidden until all new tokens are out ({@code minLength}), so every run emits the
 * same number of tokens; no n-gram blocking or repetition penalty, so the time is the model's and
 * the search's, not the post-processing's.
 */
public final class GenerationBench {
    private static final Logger LOG = LoggerFactory.getLogger(GenerationBench.class);

    private GenerationBench() {}

    /** {@code gpt2-gen-beam<N>}: the beam count from the name. */
    public static int beamsOf(String workload) {
        if (workload == null || !workload.matches("gpt2-gen-beam[1-9][0-9]*")) {
            throw new IllegalArgumentException("not a generation workload: '" + workload + "' (gpt2-gen-beamN)");
        }
        return Integer.parseInt(workload.substring("gpt2-gen-beam".length()));
    }

    public static BenchResult run(String workload, TrainWorkloads.Gpt2Shape shape, int promptTokens, int newTokens,
                                  int threads, int warmup, int runs, long seed) {
        int beams = beamsOf(workload);
        if (promptTokens <= 0 || newTokens <= 0 || promptTokens + newTokens > shape.positions()) {
            throw new IllegalArgumentException("prompt " + promptTokens + " + new " + newTokens
                    + " tokens must be positive and fit n_positions " + shape.positions());
        }
        if (warmup < 0 || runs <= 0) {
            throw new IllegalArgumentException("need --warmup >= 0 and --runs >= 1, got " + warmup + " and " + runs);
        }
        Random rnd = new Random(seed * 31 + 5);
        int[] prompt = new int[promptTokens];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = rnd.nextInt(shape.vocab() - 1);
        }
        GenerationConfig cfg = GenerationConfig.builder().numBeams(beams).maxNewTokens(newTokens).minLength(newTokens)
                .noRepeatNgramSize(0).repetitionPenalty(1.0).lengthPenalty(1.0).useCache(true).build();
        Engine.getInstance().setRandomSeed((int) seed);
        try (NDManager m = NDManager.newBaseManager()) {
            Gpt2LMHeadModel model = Gpt2LMHeadModel.build(Gpt2Config.fromJson(shape.configJson(), "bench config"), m);
            model.eval();
            Generator gen = new Generator(model);
            double[] seconds = new double[runs];
            int generated = -1;
            for (int i = 0; i < warmup + runs; i++) {
                long t0 = System.nanoTime();
                List<Generation> out = gen.generate(List.of(prompt), cfg);
                double s = (System.nanoTime() - t0) / 1e9;
                int n = out.get(0).tokens().length;
                if (generated >= 0 && n != generated) {
                    throw new IllegalStateException(workload + ": run " + i + " generated " + n + " tokens, earlier "
                            + generated);
                }
                generated = n;
                LOG.info("{} run {}{}: {} tokens in {} s", workload, i + 1, i < warmup ? " (warm-up)" : "", n, s);
                if (i >= warmup) {
                    seconds[i - warmup] = s;
                }
            }
            StepStats stats = StepStats.of(seconds);
            return new BenchResult("djl", workload, threads, stats, stats.tokensPerSecond(generated))
                    .put("warmup", warmup)
                    .put("beams", beams)
                    .put("batch", 1)
                    .put("prompt_tokens", promptTokens)
                    .put("new_tokens", generated)
                    .put("kv_cache", true)
                    .put("intra_op_threads", TorchThreads.intraOp());
        }
    }
}
