package io.sparklora.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * BLEU and NIST against the official Perl mteval-v13a-sig.pl on the E2E example and random
 * multi-reference cases (oracle/mteval_oracle.py; values printed with 10 decimals).
 */
class MtevalOracleTest {
    private static final double TOL = 2e-9;

    @Test
    void corpusAndSegmentScoresMatchPerlMteval() {
        JsonNode root = TestResources.json("oracle/mteval_cases.json");
        for (JsonNode c : root.get("cases")) {
            String name = c.get("name").asText();
            List<List<String>> refs = TestResources.stringLists(c.get("references"));
            List<String> hyps = TestResources.strings(c.get("hypotheses"));
            MetricScores bleu = BleuMteval.score(refs, hyps);
            MetricScores nist = NistMteval.score(refs, hyps);
            assertEquals(c.get("BLEU").asDouble(), bleu.corpus(), TOL, name + " corpus BLEU");
            assertEquals(c.get("NIST").asDouble(), nist.corpus(), TOL * 10, name + " corpus NIST");
            double[] bleuSeg = TestResources.doubles(c.get("BLEU_segments"));
            double[] nistSeg = TestResources.doubles(c.get("NIST_segments"));
            for (int i = 0; i < hyps.size(); i++) {
                assertEquals(bleuSeg[i], bleu.segments().get(i), TOL, name + " segment " + i + " BLEU: " + hyps.get(i));
                assertEquals(nistSeg[i], nist.segments().get(i), TOL * 10, name + " segment " + i + " NIST: " + hyps.get(i));
            }
        }
    }

    @Test
    void tokenizationFollowsMtevalRules() {
        assertEquals("the eagle , £20 - 25 . 1,000 3.5 it's x & y \" q \"",
                MtevalTokenization.tokenize("The Eagle,\u00a0£20-25. 1,000 3.5 it's x&amp;y &quot;q\""));
        assertEquals("", MtevalTokenization.tokenize("  <skipped> "));
    }
}
