package io.sparklora.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PTB tokenization, ROUGE-L and CIDEr-D against the official script's pycocoevalcap on random
 * multi-reference cases with brackets, quotes, abbreviations and punctuation-only outputs
 * (oracle/coco_oracle.py).
 */
class CocoOracleTest {
    private static final double TOL = 1e-9;

    @Test
    void tokenizationRougeAndCiderMatchPycocoevalcap() {
        for (JsonNode c : TestResources.json("oracle/coco_cases.json").get("cases")) {
            String name = c.get("name").asText();
            List<List<String>> refs = TestResources.stringLists(c.get("references"));
            List<String> hyps = TestResources.strings(c.get("hypotheses"));
            assertEquals(TestResources.strings(c.get("tokenized_hypotheses")), PtbTokenization.tokenize(hyps), name);
            MetricScores rouge = RougeL.score(refs, hyps);
            MetricScores cider = CiderD.score(refs, hyps);
            assertEquals(c.get("ROUGE_L").asDouble(), rouge.corpus(), TOL, name + " ROUGE_L");
            assertEquals(c.get("CIDEr").asDouble(), cider.corpus(), TOL, name + " CIDEr");
            double[] rougeSeg = TestResources.doubles(c.get("ROUGE_L_segments"));
            double[] ciderSeg = TestResources.doubles(c.get("CIDEr_segments"));
            for (int i = 0; i < hyps.size(); i++) {
                assertEquals(rougeSeg[i], rouge.segments().get(i), TOL, name + " ROUGE_L segment " + i + ": " + hyps.get(i));
                assertEquals(ciderSeg[i], cider.segments().get(i), TOL, name + " CIDEr segment " + i + ": " + hyps.get(i));
            }
        }
    }
}
