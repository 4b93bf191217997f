package io.sparklora.job.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportModelTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static MetricPoint p(String task, String adapter, long step, String split, String metric, double v, long sec) {
        return new MetricPoint(task, adapter, step, 0, split, metric, v, T0.plusSeconds(sec));
    }

    @Test
    void groupsSortsAndKeepsTheLastWrittenRowOfARepeatedStep() {
        List<MetricPoint> rows = new ArrayList<>();
        rows.add(p("sst2", "", 3, "train", "loss", 0.3, 3));
        rows.add(p("sst2", "", 1, "train", "loss", 0.9, 1));
        rows.add(p("sst2", "", 2, "train", "loss", 0.5, 2));
        rows.add(p("sst2", "", 2, "train", "loss", 0.4, 10)); // resumed run wrote step 2 again, later
        rows.add(p("sst2", "", 2, "dev", "accuracy", 0.75, 2));
        rows.add(p("e2e", "", 1, "test", "BLEU", 0.5, 1));
        ReportModel m = ReportModel.of(rows);
        assertEquals(List.of("e2e/test/BLEU", "sst2/train/loss", "sst2/dev/accuracy"),
                m.series().stream().map(Series::id).toList());
        Series loss = m.training("loss").get(0);
        assertArrayEquals(new long[] {1, 2, 3}, loss.steps());
        assertArrayEquals(new double[] {0.9, 0.4, 0.3}, loss.values());
        assertEquals(List.of("sst2/dev/accuracy", "e2e/test/BLEU").stream().sorted().toList(),
                m.finalRows().subList(0, 2).stream().map(Series::id).sorted().toList());
        assertEquals("sst2/train/loss", m.finalRows().get(2).id());
        assertEquals(3, m.maxStep());
    }

    @Test
    void namesTheAdapterOnlyWhenATaskHasSeveral() {
        List<MetricPoint> rows = List.of(
                p("sst2", "r8", 1, "train", "loss", 1, 1), p("sst2", "r16", 1, "train", "loss", 2, 1),
                p("mrpc", "only", 1, "train", "loss", 3, 1));
        List<String> ids = ReportModel.of(rows).series().stream().map(Series::id).toList();
        assertEquals(List.of("mrpc/train/loss", "sst2@r16/train/loss", "sst2@r8/train/loss"), ids);
    }

    @Test
    void evaluationChartsArePerTaskAndMetricWithOneLinePerSplit() {
        List<MetricPoint> rows = List.of(
                p("e2e", "", 5, "dev", "BLEU", 0.5, 1), p("e2e", "", 5, "test", "BLEU", 0.4, 1),
                p("e2e", "", 5, "dev", "NIST", 7.5, 1), p("e2e", "", 5, "train", "loss", 2, 1));
        var byTask = ReportModel.of(rows).evaluationByTask();
        assertEquals(List.of("e2e"), List.copyOf(byTask.keySet()));
        assertEquals(List.of("BLEU", "NIST"), byTask.get("e2e").keySet().stream().sorted().toList());
        assertEquals(List.of("dev", "test"), byTask.get("e2e").get("BLEU").stream().map(Series::split).toList());
    }

    @Test
    void seriesRejectsUnorderedSteps() {
        assertThrows(IllegalArgumentException.class,
                () -> new Series("a/train/loss", "a", "", "train", "loss", new long[] {2, 1}, new double[] {1, 2}));
    }

    @Test
    void chartThinsLongSeriesAndBreaksLinesAtNaN() {
        int n = 5 * SvgChart.MAX_POINTS + 3;
        long[] steps = new long[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            steps[i] = i + 1;
            values[i] = i == 7 ? Double.NaN : Math.exp(-i / 1000.0);
        }
        String svg = new SvgChart("loss", "step", "loss")
                .add(new Series("t/train/loss", "t", "", "train", "loss", steps, values), "#000", "t").render();
        int points = Integer.parseInt(svg.replaceAll("(?s).*data-points=\"(\\d+)\".*", "$1"));
        assertTrue(points <= SvgChart.MAX_POINTS && points >= SvgChart.MAX_POINTS / 2, "points " + points);
        String nanSvg = new SvgChart("x", "step", "y").add(new Series("t/train/x", "t", "", "train", "x",
                new long[] {1, 2, 3, 4}, new double[] {1, 2, Double.NaN, 3}), "#000", "t").render();
        String d = nanSvg.replaceAll("(?s).*<path[^>]* d=\"([^\"]*)\".*", "$1");
        assertEquals(2, d.chars().filter(c -> c == 'M').count(), d);
        assertEquals(1, d.chars().filter(c -> c == 'L').count(), d);
    }

    @Test
    void numbersKeepFourSignificantDigits() {
        assertEquals("0.875", Numbers.format(0.875));
        assertEquals("12.35", Numbers.format(12.3456));
        assertEquals("2e-4", Numbers.format(2e-4));
        assertEquals("1.5e6", Numbers.format(1.5e6));
        assertEquals("3", Numbers.format(3.0));
        assertEquals("NaN", Numbers.format(Double.NaN));
        assertEquals(List.of(0.0, 0.5, 1.0), Numbers.ticks(0.01, 0.99, Numbers.niceSpacing(0.98, 3)));
    }
}
