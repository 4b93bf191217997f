package io.sparklora.job.bench;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Listens to the training jobs: the serialized result size and run time of every task, grouped by
 * training step (from the job description {@code Trainers.spark} sets), and the stored size of
 * every broadcast piece (the serialized, compressed broadcast).
 */
final class SparkTraffic extends SparkListener {
    private static final Pattern STEP = Pattern.compile("train step (\\d+)/");
    private static final Pattern PIECE = Pattern.compile("broadcast_(\\d+)_piece\\d+");

    /** What one finished task reported. */
    record Task(long step, String executor, long resultBytes, long runMillis) {}

    private final Map<Integer, Long> stageStep = new ConcurrentHashMap<>();
    private final List<Task> tasks = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Long> pieces = new ConcurrentHashMap<>();

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        String desc = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
        if (desc == null) {
            return;
        }
        Matcher m = STEP.matcher(desc);
        if (m.find()) {
            long step = Long.parseLong(m.group(1));
            scala.collection.Iterator<StageInfo> it = start.stageInfos().iterator();
            while (it.hasNext()) {
                stageStep.put(it.next().stageId(), step);
            }
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        Long step = stageStep.get(end.stageId());
        if (step != null && end.taskMetrics() != null) {
            tasks.add(new Task(step, end.taskInfo().executorId(), end.taskMetrics().resultSize(),
                    end.taskMetrics().executorRunTime()));
        }
    }

    @Override
    public void onBlockUpdated(SparkListenerBlockUpdated update) {
        String block = update.blockUpdatedInfo().blockId().name();
        if (PIECE.matcher(block).matches()) {
            long size = update.blockUpdatedInfo().memSize() + update.blockUpdatedInfo().diskSize();
            pieces.merge(block, size, Math::max); // the same piece stored on several block managers counts once
        }
    }

    /** Tasks of training steps after {@code warmup}. */
    List<Task> timedTasks(int warmup) {
        synchronized (tasks) {
            return tasks.stream().filter(t -> t.step() > warmup).toList();
        }
    }

    /** Serialized bytes of some broadcasts (sum of their pieces), or -1 if none were seen. */
    long broadcastBytes(java.util.Set<Long> ids) {
        long sum = 0;
        boolean seen = false;
        for (Map.Entry<String, Long> e : pieces.entrySet()) {
            Matcher m = PIECE.matcher(e.getKey());
            if (m.matches() && ids.contains(Long.parseLong(m.group(1)))) {
                sum += e.getValue();
                seen = true;
            }
        }
        return seen ? sum : -1;
    }
}
