package io.sparklora.eval;

/** A metric input file that is not in the expected format; the message names the file and line. */
public final class MetricInputException extends RuntimeException {
    public MetricInputException(String message) {
        super(message);
    }

    public MetricInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
