package io.sparklora.eval.run;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/** One row of {@link MetricsSchema}. */
public record MetricRow(String runId, String task, String adapter, long step, int epoch, String split, String metric,
                        double value, Instant time) {
    public MetricRow {
        require(runId, "run_id");
        require(task, "task");
        require(adapter, "adapter");
        require(split, "split");
        require(metric, "metric");
        // Spark timestamps hold microseconds: truncate so a row reads back equal to what was written
        time = Objects.requireNonNull(time, "time").truncatedTo(ChronoUnit.MICROS);
        if (step < 0 || epoch < 0) {
            throw new IllegalArgumentException("metric " + metric + ": step and epoch must be >= 0, got " + step
                    + " and " + epoch);
        }
    }

    public Row toRow() {
        return RowFactory.create(runId, task, adapter, step, epoch, split, metric, value, Timestamp.from(time));
    }

    /** Reads a row with the {@link MetricsSchema} columns (any order). */
    public static MetricRow fromRow(Row r) {
        Object t = r.get(r.fieldIndex(MetricsSchema.TIME));
        Instant time;
        if (t instanceof Timestamp ts) {
            time = ts.toInstant();
        } else if (t instanceof Instant i) {
            time = i;
        } else if (t instanceof LocalDateTime l) {
            time = l.atZone(ZoneId.systemDefault()).toInstant();
        } else {
            throw new IllegalArgumentException("metrics row has time of type "
                    + (t == null ? "null" : t.getClass().getName()) + ", expected a timestamp");
        }
        return new MetricRow(r.getString(r.fieldIndex(MetricsSchema.RUN_ID)), r.getString(r.fieldIndex(MetricsSchema.TASK)),
                r.getString(r.fieldIndex(MetricsSchema.ADAPTER)), r.getLong(r.fieldIndex(MetricsSchema.STEP)),
                r.getInt(r.fieldIndex(MetricsSchema.EPOCH)), r.getString(r.fieldIndex(MetricsSchema.SPLIT)),
                r.getString(r.fieldIndex(MetricsSchema.METRIC)), r.getDouble(r.fieldIndex(MetricsSchema.VALUE)), time);
    }

    private static void require(String s, String name) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException("metrics row needs a non-empty " + name);
        }
    }
}
