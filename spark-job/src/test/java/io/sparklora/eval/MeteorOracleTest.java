package io.sparklora.eval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * METEOR against METEOR 1.5 restricted to its exact, stem and synonym modules (oracle/meteor_oracle.py).
 * The implementations differ in WordNet version, function-word list and alignment search, so values are
 * close, not equal; the bounds below are the documented approximation (METRICS.md).
 */
class MeteorOracleTest {
    @Test
    void closeToMeteor15WithoutParaphrases() {
        for (JsonNode c : TestResources.json("oracle/meteor_cases.json").get("cases")) {
            String name = c.get("name").asText();
            List<List<String>> refs = TestResources.stringLists(c.get("references"));
            List<String> hyps = TestResources.strings(c.get("hypotheses"));
            MetricScores ours = Meteor.score(refs, hyps);
            double[] expected = TestResources.doubles(c.get("METEOR_segments"));
            double sumAbs = 0;
            double maxAbs = 0;
            for (int i = 0; i < expected.length; i++) {
                double d = Math.abs(expected[i] - ours.segments().get(i));
                sumAbs += d;
                maxAbs = Math.max(maxAbs, d);
            }
            double corpusDiff = ours.corpus() - c.get("METEOR").asDouble();
            String summary = String.format("%s: corpus %.4f vs METEOR 1.5 %.4f (diff %+.4f); segments mean |diff| %.4f, max %.4f",
                    name, ours.corpus(), c.get("METEOR").asDouble(), corpusDiff, sumAbs / expected.length, maxAbs);
            assertTrue(Math.abs(corpusDiff) < 0.02, summary);
            assertTrue(sumAbs / expected.length < 0.03, summary);
        }
    }
}
