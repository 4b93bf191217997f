package io.sparklora.job.spark;

import io.sparklora.eval.run.GeneratedSequence;
import io.sparklora.eval.run.PromptGroup;
import io.sparklora.eval.run.ScoredExample;
import io.sparklora.job.dist.BatchPlan;
import io.sparklora.job.dist.FrozenWeights;
import io.sparklora.job.dist.StepResult;
import io.sparklora.job.dist.TrainableLayout;
import io.sparklora.model.task.Example;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;

/** The Spark settings every sparklora job uses: Kryo with the classes it ships registered. */
public final class SparkSetup {
    private SparkSetup() {}

    /** Classes that travel in broadcasts, cached partitions and task results. */
    public static final Class<?>[] KRYO_CLASSES = {
        Example.class, Example[].class, StepResult.class, StepResult[].class, FrozenWeights.class, TrainableLayout.class, BatchPlan.class,
        float[].class, float[][].class, long[].class, long[][].class, int[].class, String[].class, boolean[].class,
        java.util.LinkedHashMap.class, java.util.HashMap.class, java.util.ArrayList.class, Object[].class,
        io.sparklora.data.tokenize.TokenizerSpec.class, io.sparklora.data.tokenize.TokenizerKind.class,
        // evaluation inputs and task results (io.sparklora.eval.run)
        PromptGroup.class, PromptGroup[].class, ScoredExample.class, ScoredExample[].class,
        GeneratedSequence.class, GeneratedSequence[].class,
        // Parquet write tasks return their schema: the column types of the metrics and predictions tables
        DataTypes.StringType.getClass(), DataTypes.LongType.getClass(), DataTypes.IntegerType.getClass(),
        DataTypes.DoubleType.getClass(), DataTypes.BooleanType.getClass(), DataTypes.TimestampType.getClass(),
        ArrayType.class,
    };

    /** Spark SQL row classes that appear in shuffles of the prepare job's row RDDs. */
    private static Class<?>[] sparkSqlClasses() {
        String[] names = {
            "org.apache.spark.sql.catalyst.expressions.GenericRow",
            "org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema",
            "org.apache.spark.sql.catalyst.expressions.GenericInternalRow",
            "org.apache.spark.sql.catalyst.expressions.UnsafeRow",
            "org.apache.spark.sql.types.StructType",
            "org.apache.spark.sql.types.StructField",
            "[Lorg.apache.spark.sql.types.StructField;",
            "org.apache.spark.sql.types.Metadata",
            "org.apache.spark.sql.types.ArrayType",
            "org.apache.spark.sql.types.StringType$",
            "org.apache.spark.sql.types.LongType$",
            "org.apache.spark.sql.types.IntegerType$",
            "org.apache.spark.sql.types.FloatType$",
            "org.apache.spark.sql.types.DoubleType$",
            "org.apache.spark.sql.types.BooleanType$",
            "org.apache.spark.sql.types.TimestampType$",
            "java.sql.Timestamp",
            "scala.collection.immutable.ArraySeq$ofRef",
            "scala.collection.immutable.ArraySeq$ofInt",
            "scala.collection.mutable.ArraySeq$ofRef",
            "scala.collection.immutable.Nil$",
            "scala.collection.immutable.$colon$colon",
            "scala.reflect.ClassTag$GenericClassTag",
            "scala.math.Ordering$Reverse",
            "org.apache.spark.sql.catalyst.InternalRow[]",
        };
        java.util.List<Class<?>> out = new java.util.ArrayList<>();
        for (String n : names) {
            try {
                out.add(Class.forName(n.endsWith("[]") ? "[L" + n.substring(0, n.length() - 2) + ";" : n));
            } catch (ClassNotFoundException e) {
                // not in this Spark version
            }
        }
        return out.toArray(new Class<?>[0]);
    }

    /** Adds sparklora's settings to {@code conf} without overriding what the user set. */
    public static SparkConf configure(SparkConf conf) {
        conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        conf.setIfMissing("spark.kryoserializer.buffer.max", "1024m");
        conf.registerKryoClasses(KRYO_CLASSES);
        conf.registerKryoClasses(sparkSqlClasses());
        return conf;
    }

    /** A session for the CLI: the master comes from spark-submit, or {@code local[*]} when run directly. */
    public static SparkSession session(String appName) {
        SparkConf conf = configure(new SparkConf().setAppName(appName));
        conf.setIfMissing("spark.master", "local[*]");
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
