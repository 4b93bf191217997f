package io.sparklora.job.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one command-line entry point. Locally {@code scripts/sparklora} runs it with {@code local[*]};
 * under {@code spark-submit} the same class runs on a cluster.
 */
@Command(
        name = "sparklora",
        mixinStandardHelpOptions = true,
        versionProvider = SparkloraCli.Version.class,
        description = "Distributed LoRA fine-tuning on Apache Spark.",
        subcommands = {CommandLine.HelpCommand.class, DemoCommand.class, PrepareCommand.class,
                ImportBertCommand.class, MetricsCommand.class, TrainCommand.class, MergeCommand.class,
                ReportCommand.class, io.sparklora.job.bench.BenchCommand.class})
public final class SparkloraCli implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** Exit codes a scheduler can act on. */
    public static final int EXIT_OK = 0;
    public static final int EXIT_RUNTIME = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_BAD_CONFIG = 3;
    public static final int EXIT_BAD_INPUT = 4;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line with every subcommand registered. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SparkloraCli());
        cl.setExitCodeExceptionMapper(ExitCodes::of);
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SparkloraCli.class.getPackage().getImplementationVersion();
            return new String[] {"sparklora " + (v == null ? "dev" : v)};
        }
    }
}
