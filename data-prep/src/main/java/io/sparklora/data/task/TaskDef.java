package io.sparklora.data.task;

import java.util.List;

/** A task the project can prepare and train on. Implemented by {@link GlueTask} and {@link NlgTask}. */
public interface TaskDef {

    /** The short lower-case name used on the command line and as the Parquet {@code task} value. */
    String id();

    TaskType type();

    /**
     * Raw label strings in class-id order (class id = index). Empty for regression and generation.
     */
    List<String> labels();

    default int numLabels() {
        return type() == TaskType.CLASSIFICATION ? labels().size() : 1;
    }

    /** Metric names the evaluator reports for this task, the first one being the headline metric. */
    List<String> metrics();

    /** Whether inputs are sentence pairs. */
    boolean isPair();

    /** The splits this task has in its official distribution, in a sensible order. */
    List<String> splits();

    /** The file name of {@code split} in the official distribution. */
    String defaultFileName(String split);
}
