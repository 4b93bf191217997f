package io.sparklora.data.task;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Registry of every task by its id ({@code sst2}, {@code stsb}, {@code e2e}, ...). */
public final class Tasks {

    private static final Map<String, TaskDef> BY_ID;

    static {
        Map<String, TaskDef> m = new LinkedHashMap<>();
        for (GlueTask t : GlueTask.values()) {
            m.put(t.id(), t);
        }
        for (NlgTask t : NlgTask.values()) {
            m.put(t.id(), t);
        }
        BY_ID = Collections.unmodifiableMap(m);
    }

    private Tasks() {}

    /**
     * Looks a task up by id; also accepts the GLUE folder names ({@code SST-2}, {@code STS-B}) and
     * ignores case, {@code -} and {@code _}.
     */
    public static TaskDef byName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("task name is null");
        }
        String key = name.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        TaskDef t = BY_ID.get(key);
        if (t == null) {
            throw new IllegalArgumentException("unknown task '" + name + "'; expected one of " + BY_ID.keySet());
        }
        return t;
    }

    public static List<TaskDef> all() {
        return new ArrayList<>(BY_ID.values());
    }
}
