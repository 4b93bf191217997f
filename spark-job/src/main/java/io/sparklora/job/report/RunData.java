package io.sparklora.job.report;

import java.util.List;
import java.util.Objects;

/** What a report shows: the run's id and directory, its configuration text and its metric rows. */
public record RunData(String runId, String runDir, String configText, List<MetricPoint> points) {
    public RunData {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(runDir, "runDir");
        points = List.copyOf(points);
    }
}
