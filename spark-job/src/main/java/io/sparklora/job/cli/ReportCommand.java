package io.sparklora.job.cli;

import io.sparklora.job.report.ReportInputException;
import io.sparklora.job.report.RunReport;
import io.sparklora.job.spark.SparkSetup;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sparklora report}: a run's metrics and configuration as one self-contained HTML page. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        versionProvider = SparkloraCli.Version.class,
        description = {
            "Write a run's report: one self-contained HTML file (no scripts, nothing",
            "fetched) with the training loss and learning-rate curves, evaluation",
            "metrics over steps per task, the final metrics table and the run's",
            "configuration.",
            "",
            "Example:",
            "  report --run out/runs/2026-11-23T04-30-00-sst2 --out sst2.html",
            ""
        })
public final class ReportCommand implements Callable<Integer> {

    @Option(names = "--run", required = true, paramLabel = "RUN_DIR",
            description = "The run directory <output>/runs/<run-id> (any Hadoop path); metrics are read from "
                    + "<output>/metrics.")
    String run;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE",
            description = "Where to write the page (default: <run dir>/" + RunReport.DEFAULT_FILE + ").")
    String out;

    @Override
    public Integer call() {
        SparkSession spark = SparkSetup.session("sparklora-report");
        try {
            Path written = RunReport.write(spark, run, out);
            System.out.println("Report written to " + written);
            return SparkloraCli.EXIT_OK;
        } catch (ReportInputException e) {
            throw new ExitCodes.BadInputException(e.getMessage(), e);
        } finally {
            spark.stop();
        }
    }
}
