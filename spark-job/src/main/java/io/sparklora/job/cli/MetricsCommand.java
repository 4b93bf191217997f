package io.sparklora.job.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparklora.eval.E2eFiles;
import io.sparklora.eval.E2eMetrics;
import io.sparklora.eval.GlueFiles;
import io.sparklora.eval.GlueMetrics;
import io.sparklora.eval.GlueTask;
import io.sparklora.eval.MetricInputException;
import io.sparklora.eval.MetricScores;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparklora metrics e2e|glue}: scores prediction files made by any system with this project's
 * metric implementations, printing JSON to standard output. No Spark is started.
 */
@Command(
        name = "metrics",
        mixinStandardHelpOptions = true,
        versionProvider = SparkloraCli.Version.class,
        description = "Score files produced elsewhere with the E2E or GLUE metrics; prints JSON.",
        subcommands = {MetricsCommand.E2e.class, MetricsCommand.Glue.class})
public final class MetricsCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "e2e",
            mixinStandardHelpOptions = true,
            versionProvider = SparkloraCli.Version.class,
            description = {
                "E2E NLG Challenge metrics (BLEU, NIST, METEOR, ROUGE_L, CIDEr) in the official script's format.",
                "BLEU and ROUGE_L are fractions in [0,1]; METEOR approximates METEOR 1.5 (no paraphrase table)."
            })
    static final class E2e implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = "--references", required = true, paramLabel = "REFS",
                description = "Each instance's references on consecutive lines, a blank line between instances.")
        Path references;

        @Option(names = "--hypotheses", required = true, paramLabel = "HYPS",
                description = "One system output per line, in the order of the instances.")
        Path hypotheses;

        @Option(names = "--segments", description = "Also print per-instance scores under \"segments\".")
        boolean segments;

        @Override
        public Integer call() throws JsonProcessingException {
            E2eMetrics.Result result;
            try {
                E2eFiles.Data data = E2eFiles.read(references, hypotheses);
                result = E2eMetrics.compute(data.references(), data.hypotheses());
            } catch (MetricInputException | IllegalArgumentException e) {
                return fail(spec, e.getMessage());
            }
            ObjectNode out = JSON.createObjectNode();
            result.corpus().forEach(out::put);
            if (segments) {
                ObjectNode perSegment = out.putObject("segments");
                for (Map.Entry<String, MetricScores> e : result.scores().entrySet()) {
                    ArrayNode values = perSegment.putArray(e.getKey());
                    e.getValue().segments().forEach(values::add);
                }
            }
            print(spec, out);
            return SparkloraCli.EXIT_OK;
        }
    }

    @Command(
            name = "glue",
            mixinStandardHelpOptions = true,
            versionProvider = SparkloraCli.Version.class,
            description = {
                "GLUE metrics of one task: accuracy, f1 (class 1), mcc, pearson, spearman as the task uses them.",
                "Tasks: cola, sst2, mrpc, qqp, stsb, mnli (mnli-m, mnli-mm), qnli, rte, wnli."
            })
    static final class Glue implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = "--task", required = true, paramLabel = "TASK", converter = TaskConverter.class,
                description = "GLUE task name.")
        GlueTask task;

        @Option(names = "--predictions", required = true, paramLabel = "P",
                description = "One prediction per line: a class index, or a real score for stsb.")
        Path predictions;

        @Option(names = "--labels", required = true, paramLabel = "L",
                description = "One gold label per line, in the same order.")
        Path labels;

        @Override
        public Integer call() throws JsonProcessingException {
            Map<String, Double> metrics;
            try {
                double[][] pair = GlueFiles.readPair(predictions, labels);
                metrics = GlueMetrics.compute(task, pair[0], pair[1]);
            } catch (MetricInputException e) {
                return fail(spec, e.getMessage());
            } catch (IllegalArgumentException e) {
                return fail(spec, predictions + " / " + labels + ": " + e.getMessage());
            }
            ObjectNode out = JSON.createObjectNode();
            metrics.forEach(out::put);
            print(spec, out);
            return SparkloraCli.EXIT_OK;
        }
    }

    static final class TaskConverter implements CommandLine.ITypeConverter<GlueTask> {
        @Override
        public GlueTask convert(String value) {
            try {
                return GlueTask.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    private static void print(CommandLine.Model.CommandSpec spec, ObjectNode json) throws JsonProcessingException {
        spec.commandLine().getOut().println(JSON.writeValueAsString(json));
        spec.commandLine().getOut().flush();
    }

    private static int fail(CommandLine.Model.CommandSpec spec, String message) {
        spec.commandLine().getErr().println("sparklora metrics: " + message);
        spec.commandLine().getErr().flush();
        return SparkloraCli.EXIT_BAD_INPUT;
    }
}
