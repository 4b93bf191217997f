package io.sparklora.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** All five E2E metrics on the official example against the official script's values (expected.json). */
class E2eMetricsTest {
    @Test
    void officialExampleMatchesToFourDecimals() {
        E2eFiles.Data data = E2eFiles.read(TestResources.path("e2e_metrics_example/references.txt"),
                TestResources.path("e2e_metrics_example/baseline-output.txt"));
        assertEquals(10, data.hypotheses().size());
        JsonNode expected = TestResources.json("e2e_metrics_example/expected.json");
        E2eMetrics.Result result = E2eMetrics.compute(data.references(), data.hypotheses());
        assertEquals(E2eMetrics.NAMES, List.copyOf(result.corpus().keySet()));
        for (String name : List.of("BLEU", "NIST", "ROUGE_L", "CIDEr")) {
            double printed = expected.get("official_printed_4dp").get(name).asDouble();
            assertEquals(printed, round4(result.corpus().get(name)), 0.0, name + " printed with 4 decimals");
            assertEquals(expected.get("full_precision").get(name).asDouble(), result.corpus().get(name), 1e-9, name);
        }
        for (String name : List.of("ROUGE_L", "CIDEr")) {
            double[] seg = TestResources.doubles(expected.get("segment_level").get(name));
            for (int i = 0; i < seg.length; i++) {
                assertEquals(round4(seg[i]), round4(result.scores().get(name).segments().get(i)), 0.0,
                        name + " segment " + i);
            }
        }
        double meteor = result.corpus().get("METEOR");
        assertTrue(meteor > 0.3 && meteor < 0.7, "METEOR " + meteor);
    }

    private static double round4(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}
