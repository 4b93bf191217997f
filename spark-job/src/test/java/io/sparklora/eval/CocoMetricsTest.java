package io.sparklora.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ROUGE-L and CIDEr-D against the official e2e-metrics values on its example (expected.json). */
class CocoMetricsTest {
    private static final double TOL = 1e-9;

    @Test
    void rougeLAndCiderMatchOfficialCorpusAndSegmentValues() throws IOException {
        E2eFiles.Data data = E2eFiles.read(TestResources.path("e2e_metrics_example/references.txt"),
                TestResources.path("e2e_metrics_example/baseline-output.txt"));
        JsonNode expected = TestResources.json("e2e_metrics_example/expected.json");
        MetricScores rouge = RougeL.score(data.references(), data.hypotheses());
        MetricScores cider = CiderD.score(data.references(), data.hypotheses());
        assertEquals(expected.at("/full_precision/ROUGE_L").asDouble(), rouge.corpus(), TOL);
        assertEquals(expected.at("/full_precision/CIDEr").asDouble(), cider.corpus(), TOL);
        double[] rougeSeg = TestResources.doubles(expected.at("/segment_level/ROUGE_L"));
        double[] ciderSeg = TestResources.doubles(expected.at("/segment_level/CIDEr"));
        for (int i = 0; i < rougeSeg.length; i++) {
            assertEquals(rougeSeg[i], rouge.segments().get(i), TOL, "ROUGE-L segment " + i);
            assertEquals(ciderSeg[i], cider.segments().get(i), TOL, "CIDEr segment " + i);
        }
    }

    @Test
    void ptbTokenizationLowerCasesDropsPunctuationAndLooksAcrossLines() {
        List<String> out = PtbTokenization.tokenize(List.of(
                "\"Don't\" (it's) cheap, near the U.S.", "The next...", ""));
        // -lowerCase turns -LRB- into -lrb-, which ptbtokenizer.py's PUNCTUATIONS (upper-case) no longer removes
        assertEquals(List.of("do n't -lrb- it 's -rrb- cheap near the u.s.", "the next", ""), out);
        // the lexer sees the next line: an upper-case start splits the sentence-final period off "U.S."
        assertEquals(List.of(List.of("near", "the", "u.s.", "."), List.of("the", "next")),
                PtbTokenization.tokenizeKeepingPunctuation(List.of("near the U.S.", "The next")));
        assertEquals(List.of(List.of("near", "the", "u.s.")),
                PtbTokenization.tokenizeKeepingPunctuation(List.of("near the U.S.")));
    }

    @Test
    void rougeLOfIdenticalAndDisjointSentences() {
        assertEquals(1.0, RougeL.segment("a b c", List.of("x", "a b c")), 1e-15);
        assertEquals(0.0, RougeL.segment("a b c", List.of("x y")), 0.0);
    }
}
