package io.sparklora.job.dist;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IntraOpThreadsTest {
    private static SparkConf conf(String... kv) {
        SparkConf c = new SparkConf(false);
        for (int i = 0; i < kv.length; i += 2) {
            c.set(kv[i], kv[i + 1]);
        }
        return c;
    }

    @Test
    void explicitSettingWinsThenOmpThenExecutorCoresThenLocalN() {
        assertEquals(3, IntraOpThreads.resolve(conf(IntraOpThreads.CONF_KEY, "3", "spark.executor.cores", "8"),
                Map.of("OMP_NUM_THREADS", "1"), 16));
        assertEquals(1, IntraOpThreads.resolve(conf("spark.executor.cores", "8"), Map.of("OMP_NUM_THREADS", "1"), 16));
        assertEquals(8, IntraOpThreads.resolve(conf("spark.executor.cores", "8", "spark.master", "local[2]"), Map.of(), 16));
        assertEquals(2, IntraOpThreads.resolve(conf("spark.master", "local[2]"), Map.of(), 16));
        assertEquals(2, IntraOpThreads.resolve(conf("spark.master", "local[4,3]"), Map.of(), 2), "capped at the processors");
        assertEquals(16, IntraOpThreads.resolve(conf("spark.master", "local[*]"), Map.of(), 16));
        assertEquals(16, IntraOpThreads.resolve(conf("spark.master", "yarn"), Map.of("OMP_NUM_THREADS", "x"), 16));
        assertThrows(IllegalArgumentException.class,
                () -> IntraOpThreads.resolve(conf(IntraOpThreads.CONF_KEY, "0"), Map.of(), 4));
    }
}
