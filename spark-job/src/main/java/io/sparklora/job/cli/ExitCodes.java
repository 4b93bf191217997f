package io.sparklora.job.cli;

import java.io.UncheckedIOException;

/** Maps failures to the exit codes documented in {@link SparkloraCli}. */
public final class ExitCodes {
    private ExitCodes() {}

    /** Bad configuration: raised before any Spark job starts. */
    public static final class BadConfigException extends IllegalArgumentException {
        public BadConfigException(String message) {
            super(message);
        }
    }

    /** Bad input data (a file, row or tensor that is not what was expected). */
    public static final class BadInputException extends RuntimeException {
        public BadInputException(String message, Throwable cause) {
            super(message, cause);
        }

        public BadInputException(String message) {
            super(message);
        }
    }

    static int of(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof picocli.CommandLine.ParameterException) {
                return SparkloraCli.EXIT_USAGE;
            }
            if (c instanceof BadConfigException || c instanceof IllegalArgumentException) {
                return SparkloraCli.EXIT_BAD_CONFIG;
            }
            if (c instanceof BadInputException || c instanceof UncheckedIOException) {
                return SparkloraCli.EXIT_BAD_INPUT;
            }
        }
        return SparkloraCli.EXIT_RUNTIME;
    }
}
