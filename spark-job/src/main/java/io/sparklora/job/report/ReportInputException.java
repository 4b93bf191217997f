package io.sparklora.job.report;

/** A run directory or metrics table that is not what a report needs (names the path and what was expected). */
public final class ReportInputException extends RuntimeException {
    public ReportInputException(String message) {
        super(message);
    }

    public ReportInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
