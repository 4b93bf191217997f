package io.sparklora.job.dist;

import ai.djl.pytorch.jni.JniUtils;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PyTorch's intra-op thread count on an executor. One task at a time computes on an executor's
 * model (see {@link ExecutorModels}), so it gets all the executor's cores; PyTorch's own default
 * (every core of the host) oversubscribes nodes that run several executors. Order of precedence:
 * {@code spark.sparklora.intraOpThreads}, the {@code OMP_NUM_THREADS} environment variable,
 * {@code spark.executor.cores}, N of a {@code local[N]} master, then the JVM's processors.
 */
public final class IntraOpThreads {
    public static final String CONF_KEY = "spark.sparklora.intraOpThreads";
    private static final Logger LOG = LoggerFactory.getLogger(IntraOpThreads.class);
    private static final Pattern LOCAL = Pattern.compile("local\\[(\\d+|\\*)(,\\d+)?]");
    private static final AtomicBoolean APPLIED = new AtomicBoolean();

    private IntraOpThreads() {}

    /** Sets the thread count once per JVM (later calls do nothing). */
    static void applyOnce() {
        if (APPLIED.compareAndSet(false, true)) {
            SparkEnv env = SparkEnv.get();
            int n = resolve(env == null ? new SparkConf(false) : env.conf(), System.getenv(),
                    Runtime.getRuntime().availableProcessors());
            JniUtils.setNumThreads(n);
            LOG.info("PyTorch intra-op threads: {}", n);
        }
    }

    /** The thread count for this conf and environment. */
    public static int resolve(SparkConf conf, Map<String, String> env, int processors) {
        if (conf.contains(CONF_KEY)) {
            int n = conf.getInt(CONF_KEY, 0);
            if (n <= 0) {
                throw new IllegalArgumentException(CONF_KEY + " must be a positive integer, got " + conf.get(CONF_KEY));
            }
            return n;
        }
        String omp = env.get("OMP_NUM_THREADS");
        if (omp != null && omp.matches("[1-9]\\d*")) {
            return Integer.parseInt(omp);
        }
        if (conf.contains("spark.executor.cores")) {
            return Math.max(1, conf.getInt("spark.executor.cores", 1));
        }
        Matcher m = LOCAL.matcher(conf.get("spark.master", ""));
        if (m.matches() && !m.group(1).equals("*")) {
            return Math.max(1, Math.min(processors, Integer.parseInt(m.group(1))));
        }
        return Math.max(1, processors);
    }
}
