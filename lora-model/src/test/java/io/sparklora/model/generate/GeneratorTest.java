package io.sparklora.model.generate;

import ai.djl.ndarray.NDManager;
import io.sparklora.model.gpt2.Gpt2LMHeadModel;
import io.sparklora.model.gpt2.TinyGpt2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Greedy and beam search on a tiny random LoRA GPT-2: equivalences that must hold exactly. */
class GeneratorTest {
    private static NDManager root;
    private static Gpt2LMHeadModel model;
    private static Generator gen;

    private static final List<int[]> PROMPTS = List.of(
            new int[] {5, 17, 42, 8, 99, 3, 21},
            new int[] {11},
            new int[] {60, 61, 62, 7});

    @BeforeAll
    static void setUp() {
        root = NDManager.newBaseManager();
        model = TinyGpt2.build(root.newSubManager(), 7, true);
        model.eval();
        gen = new Generator(model);
    }

    @AfterAll
    static void tearDown() {
        model.close();
        root.close();
    }

    private static GenerationConfig.Builder base() {
        return GenerationConfig.builder().maxNewTokens(12).eosTokenIds();
    }

    private static void assertSameTokens(List<Generation> a, List<Generation> b, String what) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).tokens(), b.get(i).tokens(), what + ", prompt " + i);
            assertEquals(a.get(i).endedWithEos(), b.get(i).endedWithEos(), what + ", prompt " + i);
        }
    }

    @Test
    void cachedAndUncachedGreedyGiveTheSameTokens() {
        for (GenerationConfig.Builder b : List.of(base().noRepeatNgramSize(0), base(),
                base().repetitionPenalty(1.5).noRepeatNgramSize(2))) {
            List<Generation> cached = gen.greedy(PROMPTS, b.useCache(true).build());
            List<Generation> uncached = gen.greedy(PROMPTS, b.useCache(false).build());
            assertSameTokens(cached, uncached, "greedy cached vs uncached");
            assertEquals(12, cached.get(0).tokens().length);
        }
    }

    @Test
    void eosEndsAHypothesisAndMinLengthDelaysIt() {
        List<Generation> free = gen.greedy(PROMPTS, base().noRepeatNgramSize(0).build());
        int eos = free.get(0).tokens()[2];
        List<Generation> stopped = gen.greedy(PROMPTS, base().noRepeatNgramSize(0).eosTokenIds(eos).build());
        Generation g = stopped.get(0);
        assertTrue(g.endedWithEos());
        assertTrue(g.tokens().length <= 2, "EOS at step 2 or earlier ends prompt 0");
        for (int i = 0; i < g.tokens().length; i++) {
            assertEquals(free.get(0).tokens()[i], g.tokens()[i]);
        }
        List<Generation> delayed = gen.greedy(PROMPTS,
                base().noRepeatNgramSize(0).eosTokenIds(eos).minLength(5).build());
        assertTrue(!delayed.get(0).endedWithEos() || delayed.get(0).tokens().length >= 5);
        // beam search with one beam must agree, EOS included
        assertSameTokens(stopped, gen.beamSearch(PROMPTS,
                base().noRepeatNgramSize(0).eosTokenIds(eos).numBeams(1).build()), "beam 1 vs greedy with EOS");
    }

    @Test
    void beamOneEqualsGreedy() {
        for (GenerationConfig.Builder b : List.of(base().noRepeatNgramSize(0), base().lengthPenalty(0.8),
                base().repetitionPenalty(1.3).noRepeatNgramSize(3))) {
            List<Generation> greedy = gen.greedy(PROMPTS, b.numBeams(1).build());
            List<Generation> beam = gen.beamSearch(PROMPTS, b.numBeams(1).build());
            assertSameTokens(greedy, beam, "beam 1 vs greedy");
            for (int i = 0; i < greedy.size(); i++) {
                assertEquals(greedy.get(i).score(), beam.get(i).score(), 1e-9);
            }
        }
    }

    @Test
    void cachedAndUncachedBeamSearchGiveTheSameTokens() {
        GenerationConfig.Builder b = base().numBeams(4).lengthPenalty(0.8).noRepeatNgramSize(4);
        List<Generation> cached = gen.beamSearch(PROMPTS, b.useCache(true).build());
        List<Generation> uncached = gen.beamSearch(PROMPTS, b.useCache(false).build());
        assertSameTokens(cached, uncached, "beam cached vs uncached");
        for (int i = 0; i < cached.size(); i++) {
            assertEquals(cached.get(i).score(), uncached.get(i).score(), 1e-4);
        }
        // beam search finds a hypothesis at least as good as greedy's under the same scoring
        List<Generation> greedy = gen.greedy(PROMPTS, b.numBeams(1).build());
        for (int i = 0; i < cached.size(); i++) {
            assertTrue(cached.get(i).score() >= greedy.get(i).score() - 1e-6);
        }
    }

    @Test
    void aPaddedBatchDecodesEachPromptAsIfAlone() {
        GenerationConfig cfg = base().numBeams(3).build();
        List<Generation> batch = gen.generate(PROMPTS, cfg);
        List<Generation> alone = new ArrayList<>();
        for (int[] p : PROMPTS) {
            alone.add(gen.generate(List.of(p), cfg).get(0));
        }
        assertSameTokens(batch, alone, "batched vs alone");
        List<Generation> greedyBatch = gen.greedy(PROMPTS, base().build());
        for (int i = 0; i < PROMPTS.size(); i++) {
            assertArrayEquals(greedyBatch.get(i).tokens(), gen.greedy(List.of(PROMPTS.get(i)), base().build())
                    .get(0).tokens());
        }
    }

    @Test
    void noRepeatNgramIsEnforced() {
        List<Generation> out = gen.greedy(PROMPTS, base().maxNewTokens(30).noRepeatNgramSize(2).build());
        for (Generation g : out) {
            java.util.Set<Long> seen = new java.util.HashSet<>();
            int[] t = g.tokens();
            for (int i = 0; i + 1 < t.length; i++) {
                assertTrue(seen.add(t[i] * 1000L + t[i + 1]), "bigram repeated at " + i);
            }
        }
    }

    @Test
    void rejectsBadInput() {
        GenerationConfig cfg = base().build();
        assertThrows(IllegalArgumentException.class, () -> gen.greedy(List.of(), cfg));
        assertThrows(IllegalArgumentException.class, () -> gen.greedy(List.of(new int[0]), cfg));
        assertThrows(IllegalArgumentException.class, () -> gen.greedy(List.<int[]>of(new int[] {100}), cfg));
        assertThrows(IllegalArgumentException.class,
                () -> gen.greedy(List.<int[]>of(new int[50]), base().maxNewTokens(20).build()));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.builder().numBeams(0).build());
        model.train();
        try {
            assertThrows(IllegalStateException.class, () -> gen.greedy(PROMPTS, cfg));
        } finally {
            model.eval();
        }
    }

    @Test
    void e2ePresetIsMicrosoftsCommandLine() {
        GenerationConfig e2e = GenerationConfig.e2e();
        assertEquals(10, e2e.numBeams());
        assertEquals(0.8, e2e.lengthPenalty());
        assertEquals(4, e2e.noRepeatNgramSize());
        assertEquals(64, e2e.maxNewTokens());
        assertTrue(e2e.isEos(50256) && e2e.isEos(628));
        assertFalse(e2e.isEos(0));
    }

    @Test
    void hundredGenerationCallsLeakNoArrays() {
        GenerationConfig beam = base().numBeams(3).maxNewTokens(4).build();
        GenerationConfig greedy = base().maxNewTokens(4).build();
        gen.generate(PROMPTS, beam); // warm-up
        int before = root.getManagedArrays().size();
        for (int i = 0; i < 100; i++) {
            gen.generate(PROMPTS, i % 2 == 0 ? beam : greedy);
        }
        assertEquals(before, root.getManagedArrays().size(), "live NDArrays grew across generation calls");
    }
}
