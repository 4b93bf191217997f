package io.sparklora.data.prepare;

/** Thrown when more records were rejected than {@link PrepareSpec#maxRejectFraction()} allows. */
public final class RejectFractionExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient PrepareResult result;

    public RejectFractionExceededException(String message, PrepareResult result) {
        super(message);
        this.result = result;
    }

    public PrepareResult result() {
        return result;
    }
}
