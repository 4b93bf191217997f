package io.sparklora.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GLUE metrics against scikit-learn / SciPy values from oracle/glue_oracle.py (glue_cases.json). */
class GlueMetricsTest {
    private static final double TOL = 1e-12;

    @Test
    void matchesScikitLearnAndScipyOnRandomizedCasesWithTies() {
        JsonNode root = TestResources.json("oracle/glue_cases.json");
        int checked = 0;
        for (JsonNode c : root.get("cases")) {
            GlueTask task = GlueTask.parse(c.get("task").asText());
            Map<String, Double> actual = GlueMetrics.compute(
                    task, TestResources.doubles(c.get("predictions")), TestResources.doubles(c.get("labels")));
            List<String> expectedKeys = new ArrayList<>();
            c.get("expected").fieldNames().forEachRemaining(expectedKeys::add);
            assertEquals(expectedKeys, new ArrayList<>(actual.keySet()), "metric keys of " + c.get("task"));
            for (String key : expectedKeys) {
                double expected = c.get("expected").get(key).asDouble();
                assertEquals(expected, actual.get(key), TOL,
                        key + " of " + c.get("task") + " (" + c.get("kind") + ", n=" + c.get("labels").size() + ")");
                checked++;
            }
        }
        assertTrue(checked > 100, "too few oracle values: " + checked);
    }

    @Test
    void matthewsCorrelationMatchesScikitLearnOnThreeClasses() {
        for (JsonNode c : TestResources.json("oracle/glue_cases.json").get("mcc_three_class")) {
            int[] p = ints(c.get("predictions"));
            int[] y = ints(c.get("labels"));
            assertEquals(c.get("mcc").asDouble(), MatthewsCorrelation.compute(p, y), TOL);
        }
    }

    @Test
    void averageRanksOfTies() {
        double[] ranks = SpearmanCorrelation.averageRanks(new double[] {3, 1, 3, 2, 3});
        assertEquals(List.of(4.0, 1.0, 4.0, 2.0, 4.0), List.of(ranks[0], ranks[1], ranks[2], ranks[3], ranks[4]));
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class,
                () -> GlueMetrics.compute(GlueTask.SST2, new double[] {1, 0}, new double[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> GlueMetrics.compute(GlueTask.SST2, new double[0], new double[0]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GlueMetrics.compute(GlueTask.MRPC, new double[] {1, 2}, new double[] {1, 0}));
        assertTrue(e.getMessage().contains("prediction 2 (1-based"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> GlueMetrics.compute(GlueTask.COLA, new double[] {0.5}, new double[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> GlueMetrics.compute(GlueTask.STSB, new double[] {Double.NaN}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> GlueTask.parse("squad"));
    }

    @Test
    void parsesTaskNames() {
        assertEquals(GlueTask.SST2, GlueTask.parse("SST-2"));
        assertEquals(GlueTask.STSB, GlueTask.parse("sts-b"));
        assertEquals(GlueTask.MNLI_MISMATCHED, GlueTask.parse("mnli-mm"));
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
