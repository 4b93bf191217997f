package io.sparklora.job.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.job.spark.SparkSetup;
import io.sparklora.model.nn.TensorSource;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Tensors larger than a block travel in row blocks and come back whole, on the executors too. */
class BroadcastWeightsTest {
    @Test
    void tensorsLargerThanABlockArriveWhole() {
        SparkConf conf = SparkSetup.configure(new SparkConf().setMaster("local[2]").setAppName("broadcast-weights")
                .set("spark.ui.enabled", "false").set("spark.kryo.registrationRequired", "true"));
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            int rows = 5000;
            int cols = 1000; // 20 MB: two 16 MB blocks of whole rows
            float[] big = new float[rows * cols];
            for (int i = 0; i < big.length; i++) {
                big[i] = i % 9973 - 0.5f * (i / 9973);
            }
            FrozenWeights w = new FrozenWeights();
            w.put("big", new long[] {rows, cols}, big);
            w.put("bias", new long[] {3}, new float[] {1f, 2f, 3f});
            w.put("empty", new long[] {0, 4}, new float[0]);
            BroadcastWeights b = BroadcastWeights.of(jsc, w);
            try {
                assertEquals(2 + 1 + 1, b.blocks());
                assertEquals(w.bytes(), b.bytes());
                // Read on the executors (tasks), where each block is dropped once copied.
                List<Double> sums = jsc.parallelize(List.of(1, 2), 2).map(x -> {
                    try (NDManager m = NDManager.newBaseManager()) {
                        return (double) b.source().load("big", m).sum().getFloat();
                    }
                }).collect();
                double expected = 0;
                for (float v : big) {
                    expected += v;
                }
                for (double s : sums) {
                    assertEquals(expected, s, Math.abs(expected) * 1e-5);
                }
                try (NDManager m = NDManager.newBaseManager()) {
                    TensorSource src = b.source();
                    NDArray back = src.load("big", m);
                    assertArrayEquals(new long[] {rows, cols}, back.getShape().getShape());
                    assertArrayEquals(big, back.toFloatArray());
                    assertArrayEquals(new float[] {1f, 2f, 3f}, src.load("bias", m).toFloatArray());
                    assertEquals(0, src.load("empty", m).size());
                    assertThrows(IllegalArgumentException.class, () -> src.load("nope", m));
                }
            } finally {
                b.destroy();
            }
        } finally {
            spark.stop();
        }
    }
}
