package io.sparklora.data.read;

import io.sparklora.data.task.GlueTask;
import io.sparklora.data.task.NlgTask;
import io.sparklora.data.task.TaskDef;
import java.util.Locale;

/** Picks the reader for a task, split and file name. */
public final class Readers {

    private Readers() {}

    /**
     * GLUE tasks: {@link GlueTsvReader}. E2E: {@link E2eCsvReader} for {@code .csv} files, else
     * microsoft/LoRA's {@code MR||ref} text ({@link LoraTextReader}). DART and WebNLG: their JSON readers.
     */
    public static ExampleReader forFile(TaskDef task, String split, String fileName) {
        if (task == null || split == null || fileName == null) {
            throw new IllegalArgumentException("task, split and fileName are required");
        }
        if (task instanceof GlueTask g) {
            return new GlueTsvReader(g, split);
        }
        NlgTask n = (NlgTask) task;
        String lower = fileName.toLowerCase(Locale.ROOT);
        return switch (n) {
            case E2E -> lower.endsWith(".csv") ? new E2eCsvReader() : new LoraTextReader();
            case DART -> new DartJsonReader();
            case WEBNLG -> new WebNlgJsonReader();
        };
    }
}
