package io.sparklora.job.bench;

import ai.djl.pytorch.jni.JniUtils;
import io.sparklora.model.task.Example;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Host memory of the JVMs that trained: a tiny job over the cached training partitions (so its
 * tasks run where the models are) reads {@code VmHWM} and {@code VmRSS} of its own process.
 */
final class MemoryProbe {
    private MemoryProbe() {}

    /** One JVM's peak and current resident set, committed Java heap and its tasks' intra-op thread count. */
    record Jvm(String executor, long peakRssBytes, long rssBytes, long heapCommittedBytes, int intraOpThreads) {}

    /** The JVMs that hold partitions of {@code data}, one entry per executor id. */
    static List<Jvm> executors(JavaRDD<Example> data) {
        Map<String, Jvm> byId = new LinkedHashMap<>();
        for (String line : data.mapPartitions(new Read()).collect()) {
            String[] f = line.split(" ");
            Jvm j = new Jvm(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                    Integer.parseInt(f[4]));
            byId.merge(j.executor(), j, (a, b) -> a.peakRssBytes() >= b.peakRssBytes() ? a : b);
        }
        return new ArrayList<>(byId.values());
    }

    /** The largest of {@code field} over {@code jvms}, or -1 when there are none. */
    static long max(List<Jvm> jvms, ToLongFunction<Jvm> field) {
        return jvms.stream().mapToLong(field).max().orElse(-1);
    }

    /** This process's {@code VmHWM} and {@code VmRSS} in bytes, or -1 where /proc is missing. */
    static long[] self() {
        long hwm = -1;
        long rss = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    hwm = kib(line);
                } else if (line.startsWith("VmRSS:")) {
                    rss = kib(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/status", e);
        }
        return new long[] {hwm, rss};
    }

    /**
     * Resets this process's {@code VmHWM} to its current RSS (Linux: {@code 5 > /proc/self/clear_refs}),
     * so a later {@link #self} peak belongs to what ran in between. False where that is not possible.
     */
    static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static long kib(String line) {
        String[] f = line.trim().split("\\s+");
        return Long.parseLong(f[1]) * 1024;
    }

    static final class Read implements FlatMapFunction<Iterator<Example>, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<String> call(Iterator<Example> partition) {
            while (partition.hasNext()) {
                partition.next();
            }
            // Load PyTorch first: its natives belong to the executor's fixed cost, and the thread count needs them.
            ai.djl.engine.Engine.getInstance();
            long[] m = self();
            return List.of(SparkEnv.get().executorId() + " " + m[0] + " " + m[1] + " " + Runtime.getRuntime().totalMemory()
                    + " " + JniUtils.getNumThreads())
                    .iterator();
        }
    }
}
