package io.sparklora.job.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.apache.spark.sql.functions.col;

/**
 * A run's HTML report. A run directory is {@code <output>/runs/<run-id>} (any Hadoop path) holding
 * {@code config.conf}; its metrics are the rows of {@code <output>/metrics} (Parquet) whose {@code run_id} is
 * the directory's name.
 */
public final class RunReport {
    private static final Logger LOG = LoggerFactory.getLogger(RunReport.class);
    /** Name of the page written into the run directory when no other output is given. */
    public static final String DEFAULT_FILE = "report.html";
    static final String CONFIG_FILE = "config.conf";
    private static final Map<String, Set<DataType>> COLUMNS = Map.of(
            "run_id", Set.of(DataTypes.StringType),
            "task", Set.of(DataTypes.StringType),
            "adapter", Set.of(DataTypes.StringType),
            "step", Set.of(DataTypes.LongType, DataTypes.IntegerType),
            "epoch", Set.of(DataTypes.IntegerType, DataTypes.LongType),
            "split", Set.of(DataTypes.StringType),
            "metric", Set.of(DataTypes.StringType),
            "value", Set.of(DataTypes.DoubleType, DataTypes.FloatType),
            "time", Set.of(DataTypes.TimestampType, DataTypes.TimestampNTZType));
    private static final String[] SELECT = {"task", "adapter", "step", "epoch", "split", "metric", "value", "time"};

    private RunReport() {}

    /** The metrics table of a run directory: {@code <runDir>/../../metrics}. */
    public static Path metricsDir(Path runDir) {
        Path runs = runDir.getParent();
        if (runs == null || runs.getParent() == null || !runs.getName().equals("runs")) {
            throw new ReportInputException("run directory " + runDir + " is not of the form <output>/runs/<run-id>");
        }
        return new Path(runs.getParent(), "metrics");
    }

    /** Reads the run's configuration and metric rows. */
    public static RunData read(SparkSession spark, String runDir) {
        if (runDir == null || runDir.isBlank()) {
            throw new IllegalArgumentException("run directory must be given");
        }
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path dir = new Path(runDir);
        String runId = dir.getName();
        Path metrics = metricsDir(dir);
        String config;
        try {
            FileSystem fs = dir.getFileSystem(hadoop);
            if (!fs.exists(dir)) {
                throw new ReportInputException("run directory " + runDir + " does not exist");
            }
            if (!fs.exists(metrics)) {
                throw new ReportInputException("no metrics table at " + metrics + " (expected Parquet written by the run "
                        + runId + ")");
            }
            Path conf = new Path(dir, CONFIG_FILE);
            if (fs.exists(conf)) {
                try (FSDataInputStream in = fs.open(conf)) {
                    config = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            } else {
                LOG.warn("{} has no {}; the report shows no configuration", runDir, CONFIG_FILE);
                config = null;
            }
        } catch (IOException e) {
            throw new ReportInputException("cannot read run directory " + runDir + ": " + e.getMessage(), e);
        }
        List<MetricPoint> points = readMetrics(spark, metrics.toString(), runId);
        LOG.info("run {}: {} metric rows from {}", runId, points.size(), metrics);
        return new RunData(runId, dir.toString(), config, points);
    }

    /** The rows of {@code metricsPath} whose run_id is {@code runId}, after checking the table's columns. */
    public static List<MetricPoint> readMetrics(SparkSession spark, String metricsPath, String runId) {
        Dataset<Row> table;
        try {
            table = spark.read().parquet(metricsPath);
        } catch (Exception e) {
            if (e instanceof AnalysisException || e.getCause() instanceof IOException) {
                throw new ReportInputException("cannot read metrics Parquet at " + metricsPath + ": " + e.getMessage(), e);
            }
            throw e;
        }
        StructType schema = table.schema();
        for (Map.Entry<String, Set<DataType>> c : COLUMNS.entrySet()) {
            if (!Arrays.asList(schema.fieldNames()).contains(c.getKey())) {
                throw new ReportInputException("metrics table " + metricsPath + " has no column '" + c.getKey()
                        + "' (columns: " + String.join(", ", schema.fieldNames()) + ")");
            }
            StructField f = schema.apply(c.getKey());
            if (!c.getValue().contains(f.dataType())) {
                throw new ReportInputException("metrics table " + metricsPath + ": column '" + c.getKey() + "' is "
                        + f.dataType().simpleString() + ", expected " + c.getValue().iterator().next().simpleString());
            }
        }
        List<Row> rows = table.where(col("run_id").equalTo(runId))
                .select(Arrays.stream(SELECT).map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new))
                .collectAsList();
        List<MetricPoint> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            for (int i : new int[] {0, 2, 4, 5}) {
                if (r.isNullAt(i)) {
                    throw new ReportInputException("metrics table " + metricsPath + ": run " + runId + " has a row with no "
                            + SELECT[i] + ": " + r);
                }
            }
            out.add(new MetricPoint(r.getString(0), r.isNullAt(1) ? "" : r.getString(1), ((Number) r.get(2)).longValue(),
                    r.isNullAt(3) ? 0 : ((Number) r.get(3)).intValue(), r.getString(4), r.getString(5),
                    r.isNullAt(6) ? Double.NaN : ((Number) r.get(6)).doubleValue(), instant(r.get(7))));
        }
        return out;
    }

    private static Instant instant(Object t) {
        if (t == null) {
            return null;
        }
        if (t instanceof Timestamp ts) {
            return ts.toInstant();
        }
        if (t instanceof Instant i) {
            return i;
        }
        if (t instanceof LocalDateTime ldt) {
            return ldt.atZone(ZoneId.systemDefault()).toInstant();
        }
        throw new ReportInputException("unexpected time value " + t + " (" + t.getClass().getName() + ")");
    }

    /**
     * Reads the run and writes its report to {@code out} ({@code <runDir>/report.html} when null), atomically:
     * a hidden temporary file next to it, then a rename. Returns the page's path.
     */
    public static Path write(SparkSession spark, String runDir, String out) {
        RunData run = read(spark, runDir);
        Path target = out == null ? new Path(new Path(runDir), DEFAULT_FILE) : new Path(out);
        String html = HtmlReport.render(run, Instant.now());
        try {
            FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs instanceof LocalFileSystem local) {
                // java.nio on local disks: an atomic rename and no .crc side files next to the page
                java.nio.file.Path file = local.pathToFile(target).toPath().toAbsolutePath();
                java.nio.file.Path tmp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
                Files.writeString(tmp, html, StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return fs.makeQualified(target);
            }
            Path tmp = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
            try (OutputStream os = fs.create(tmp, false)) {
                os.write(html.getBytes(StandardCharsets.UTF_8));
            }
            if (fs.exists(target) && !fs.delete(target, false)) {
                fs.delete(tmp, false);
                throw new IOException("cannot replace " + target);
            }
            if (!fs.rename(tmp, target)) {
                fs.delete(tmp, false);
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
            return fs.makeQualified(target);
        } catch (IOException e) {
            throw new ReportInputException("cannot write report " + target + ": " + e.getMessage(), e);
        }
    }
}
