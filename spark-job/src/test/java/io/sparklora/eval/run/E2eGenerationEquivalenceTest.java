package io.sparklora.eval.run;

import ai.djl.ndarray.NDManager;
import io.sparklora.data.prepare.InputSpec;
import io.sparklora.data.prepare.PrepareJob;
import io.sparklora.data.prepare.PrepareSpec;
import io.sparklora.data.tokenize.TextTokenizer;
import io.sparklora.data.tokenize.TokenizerKind;
import io.sparklora.data.tokenize.Tokenizers;
import io.sparklora.eval.E2eMetrics;
import io.sparklora.job.TinyModels;
import io.sparklora.job.dist.ExecutorModels;
import io.sparklora.job.dist.BroadcastWeights;
import io.sparklora.job.dist.FrozenWeights;
import io.sparklora.job.dist.ModelSpecFactory;
import io.sparklora.job.dist.TrainableLayout;
import io.sparklora.model.generate.Generation;
import io.sparklora.model.generate.GenerationConfig;
import io.sparklora.model.generate.Generator;
import io.sparklora.model.task.CausalLmTask;
import io.sparklora.model.task.Example;
import io.sparklora.model.task.TaskModel;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 6 acceptance: a tiny random GPT-2 (the real 50257-token vocabulary, n_embd 16) with non-zero
 * LoRA values decodes 20 E2E dev MRs, prepared by {@code PrepareJob} from the repository sample, over 2
 * partitions with greedy and beam search; the tokens equal those of a single-process loop that calls
 * {@link Generator} directly on the same prompts in one batch.
 */
class E2eGenerationEquivalenceTest {
    static final int PROMPTS = 20;
    static SparkSession spark;
    static JavaSparkContext jsc;
    static String prepared;
    static TextTokenizer gpt2;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void prepare() throws Exception {
        Path data = EvalSpark.repoData();
        prepared = tmp.resolve("prepared").toString();
        // PrepareJob shuffles Spark Rows, which the strict session does not register: prepare first.
        SparkSession plain = SparkSession.builder().master("local[2]").appName("prepare")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
        try {
            PrepareJob.run(plain, new PrepareSpec(List.of(new InputSpec("e2e", "dev",
                    data.resolve("e2e/devset.csv").toString())), TokenizerKind.GPT2,
                    data.resolve("vocab/gpt2").toString(), 512, 0.0, prepared, 2));
        } finally {
            plain.stop();
        }
        spark = EvalSpark.strictSession("e2e-eval");
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        gpt2 = Tokenizers.create(Tokenizers.spec(TokenizerKind.GPT2, data.resolve("vocab/gpt2")), 0);
    }

    @AfterAll
    static void stop() {
        if (gpt2 != null) {
            gpt2.close();
        }
        if (spark != null) {
            spark.stop();
        }
    }

    static String config() {
        return "{\"model_type\":\"gpt2\",\"n_layer\":2,\"n_embd\":16,\"n_head\":4,\"vocab_size\":50257,"
                + "\"n_positions\":128,\"n_ctx\":128,\"layer_norm_epsilon\":1e-5}";
    }

    static float[] randomLora(int size, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[size];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.5);
        }
        return v;
    }

    /** The reference: one process, one batch of every prompt, Generator called directly. */
    static List<int[]> singleProcess(FrozenWeights base, ModelSpecFactory factory, TrainableLayout layout,
                                     float[] lora, List<int[]> prompts, GenerationConfig cfg) {
        try (NDManager m = NDManager.newBaseManager()) {
            TaskModel model = factory.build(base.source(), m);
            layout.write(model.module(), lora);
            model.module().eval();
            List<int[]> out = new ArrayList<>();
            for (Generation g : new Generator(((CausalLmTask) model).gpt2()).generate(prompts, cfg)) {
                out.add(g.tokens());
            }
            return out;
        }
    }

    static List<int[]> tokens(List<GeneratedSequence> seqs) {
        List<int[]> out = new ArrayList<>();
        seqs.forEach(s -> out.add(s.tokens));
        return out;
    }

    @Test
    void twentyDevMrsOnTwoPartitionsMatchTheSingleProcessLoop() {
        EvalData dev = EvalData.fromPrepared(spark, prepared, "e2e", "dev");
        assertEquals(434, dev.count(), "the sample has 434 dev rows");
        List<PromptGroup> all = new ArrayList<>(dev.prompts(0).collect());
        all.sort(Comparator.comparingLong(p -> p.index));
        assertEquals(50, all.size(), "the sample has 50 distinct MRs");
        int refs = 0;
        for (int i = 0; i < all.size(); i++) {
            PromptGroup p = all.get(i);
            assertEquals(i, p.index);
            assertEquals(GenerationConfig.GPT2_EOS, p.prompt[p.prompt.length - 1], "prompts end with the separator");
            assertTrue(p.references.length > 0);
            refs += p.references.length;
        }
        assertEquals(434, refs, "every dev row is one reference of its MR");
        // the first MR of the sample (devset.csv: name[Alimentum], area[city centre], familyFriendly[no]),
        // and its prompt is the tokenized context plus the separator
        PromptGroup mr = all.get(0);
        assertTrue(mr.context.contains("Alimentum") && mr.context.contains("city centre"), mr.context);
        assertEquals(mr.context, gpt2.decode(Arrays.copyOf(mr.prompt, mr.prompt.length - 1), false));
        assertTrue(mr.references[0].startsWith("There is a place in the city centre, Alimentum"), mr.references[0]);

        List<PromptGroup> first = all.subList(0, PROMPTS);
        List<int[]> prompts = new ArrayList<>();
        first.forEach(p -> prompts.add(p.prompt));

        String config = config();
        FrozenWeights base = TinyModels.gpt2Weights(config, 11);
        ModelSpecFactory factory = new ModelSpecFactory(TinyModels.gpt2Spec(config, 4));
        TrainableLayout layout;
        try (NDManager m = NDManager.newBaseManager()) {
            layout = TrainableLayout.of(factory.build(base.source(), m).module());
        }
        float[] lora = randomLora(layout.size(), 5);
        GenerationConfig greedy = GenerationConfig.builder().numBeams(1).noRepeatNgramSize(4)
                .eosTokenIds(GenerationConfig.GPT2_EOS, 628).maxNewTokens(8).build();
        GenerationConfig beam = GenerationConfig.builder().numBeams(3).lengthPenalty(0.8).noRepeatNgramSize(4)
                .eosTokenIds(GenerationConfig.GPT2_EOS, 628).maxNewTokens(8).build();

        JavaRDD<PromptGroup> rdd = jsc.parallelize(new ArrayList<>(first), 2).cache();
        BroadcastWeights b = BroadcastWeights.of(jsc, base);
        try {
            assertEquals(2, rdd.getNumPartitions());
            List<Integer> sizes = rdd.mapPartitions(it -> {
                int n = 0;
                for (; it.hasNext(); it.next()) {
                    n++;
                }
                return List.of(n).iterator();
            }).collect();
            assertFalse(sizes.contains(0), "both partitions hold prompts: " + sizes);
            Evaluator evaluator = new Evaluator(jsc, b, factory, layout);
            int builds = ExecutorModels.builds();
            for (GenerationConfig cfg : List.of(greedy, beam)) {
                List<GeneratedSequence> dist = evaluator.generateTokens(rdd, lora, cfg, 4);
                List<int[]> local = singleProcess(base, factory, layout, lora, prompts, cfg);
                assertEquals(PROMPTS, dist.size());
                Set<String> distinct = new HashSet<>();
                for (int i = 0; i < PROMPTS; i++) {
                    assertEquals(i, dist.get(i).input.index);
                    assertArrayEquals(local.get(i), dist.get(i).tokens, cfg + ": prompt " + i + " differs");
                    distinct.add(Arrays.toString(local.get(i)));
                }
                assertTrue(distinct.size() > 1, "different MRs should not all decode alike: " + distinct);
            }
            assertEquals(builds + 1, ExecutorModels.builds(), "executors build the model once and reuse it");
            boolean training = ExecutorModels.withModel(b, factory, h -> h.model().module().isTraining());
            assertTrue(training, "the executor model is back in training mode after evaluating");

            // the LoRA values reach the executors: all-zero LoRA decodes differently, again like one process
            float[] zero = new float[layout.size()];
            List<int[]> distZero = tokens(evaluator.generateTokens(rdd, zero, greedy, 4));
            List<int[]> localZero = singleProcess(base, factory, layout, zero, prompts, greedy);
            boolean changed = false;
            List<int[]> withLora = singleProcess(base, factory, layout, lora, prompts, greedy);
            for (int i = 0; i < PROMPTS; i++) {
                assertArrayEquals(localZero.get(i), distZero.get(i), "zero LoRA: prompt " + i + " differs");
                changed |= !Arrays.equals(withLora.get(i), localZero.get(i));
            }
            assertTrue(changed, "the LoRA values must change some generation");

            // the driver's text and metrics equal E2eMetrics on the single-process texts
            GenerationEval eval = evaluator.generate(rdd, lora, greedy, 4, gpt2);
            List<String> hyps = new ArrayList<>();
            List<List<String>> refLists = new ArrayList<>();
            for (int i = 0; i < PROMPTS; i++) {
                hyps.add(E2eText.decode(gpt2, withLora.get(i)));
                refLists.add(List.of(first.get(i).references));
                assertEquals(hyps.get(i), eval.outputs().get(i).hypothesis());
            }
            Map<String, Double> expected = E2eMetrics.compute(refLists, hyps).corpus();
            assertEquals(expected, eval.metrics());
            assertEquals(E2eMetrics.NAMES, List.copyOf(eval.metrics().keySet()));
        } finally {
            ExecutorModels.release(b.id());
            b.destroy();
            rdd.unpersist();
        }
    }

    @Test
    void examplesAreIndexedInExampleIdOrderWithTrainingTargets() {
        EvalData dev = EvalData.fromPrepared(spark, prepared, "e2e", "dev");
        List<Example> ex = new ArrayList<>(dev.examples(2).collect());
        ex.sort(Comparator.comparingLong(e -> e.index));
        assertEquals(434, ex.size());
        List<PromptGroup> prompts = dev.prompts(0).collect();
        Set<String> promptKeys = new HashSet<>();
        prompts.forEach(p -> promptKeys.add(Arrays.toString(p.prompt)));
        for (int i = 0; i < ex.size(); i++) {
            Example e = ex.get(i);
            assertEquals(i, e.index);
            assertEquals(Integer.toString(i), e.exampleId, "the sample has no rejects, so example_id = index");
            assertNotNull(e.lmLabels);
            // the first target is the token after the prompt: the prompt is a prefix of the example
            int promptLength = -1;
            for (int j = 0; j < e.lmLabels.length; j++) {
                if (e.lmLabels[j] != -1) {
                    promptLength = j + 1;
                    break;
                }
            }
            assertTrue(promptKeys.contains(Arrays.toString(Arrays.copyOf(e.inputIds, promptLength))),
                    "example " + i + " starts with one of the grouped prompts");
        }
    }

    @Test
    void hypothesesStopAtTheEndMarkersLikeGpt2Decode() {
        int[] text = gpt2.encodeIds("The Eagle is a pub.");
        int[] more = gpt2.encodeIds(" Not this.");
        for (int marker : new int[] {628, GenerationConfig.GPT2_EOS}) {
            int[] tokens = new int[text.length + 1 + more.length];
            System.arraycopy(text, 0, tokens, 0, text.length);
            tokens[text.length] = marker;
            System.arraycopy(more, 0, tokens, text.length + 1, more.length);
            assertEquals("The Eagle is a pub.", E2eText.decode(gpt2, tokens), "marker " + marker);
        }
        assertEquals("", E2eText.decode(gpt2, new int[0]));
    }

    @Test
    void aMissingSplitNamesWhatToPrepare() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> EvalData.fromPrepared(spark, prepared, "e2e", "test"));
        assertTrue(e.getMessage().contains("split test") && e.getMessage().contains("run prepare"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> EvalData.fromPrepared(spark, prepared, "no-such-task", "dev"));
    }
}
