package io.sparklora.data.prepare;

import io.sparklora.data.task.TaskDef;
import io.sparklora.data.task.Tasks;
import java.io.Serializable;
import java.util.regex.Pattern;

/**
 * One raw input: a task, the split its rows belong to, and a Hadoop path (a file or a glob of files;
 * {@code file://}, {@code hdfs://}, {@code s3a://} ...). The reader is chosen by task and file name.
 */
public record InputSpec(String task, String split, String path) implements Serializable {

    private static final Pattern SPLIT = Pattern.compile("[A-Za-z0-9_]+");

    public InputSpec {
        TaskDef t = Tasks.byName(task);
        task = t.id();
        if (split == null || !SPLIT.matcher(split).matches()) {
            throw new IllegalArgumentException("split of " + task + " must match [A-Za-z0-9_]+, got '" + split + "'");
        }
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("input path of " + task + "/" + split + " is empty");
        }
    }

    public TaskDef taskDef() {
        return Tasks.byName(task);
    }

    /**
     * Parses {@code task:split=path}, e.g. {@code sst2:train=hdfs:///glue/SST-2/train.tsv}.
     */
    public static InputSpec parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        int eq = text == null ? -1 : text.indexOf('=');
        if (colon <= 0 || eq <= colon + 1 || eq == text.length() - 1) {
            throw new IllegalArgumentException("input '" + text + "' is not of the form task:split=path");
        }
        return new InputSpec(text.substring(0, colon), text.substring(colon + 1, eq), text.substring(eq + 1));
    }

    @Override
    public String toString() {
        return task + ":" + split + "=" + path;
    }
}
