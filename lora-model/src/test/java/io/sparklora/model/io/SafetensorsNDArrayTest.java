package io.sparklora.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** NDArray in and out through the PyTorch engine (CPU natives from Maven). */
class SafetensorsNDArrayTest {
    @Test
    void ndArraysRoundTripWithDtypeAndShape() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray f = manager.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
            NDArray l = manager.create(new long[] {7, -8}, new Shape(2));
            byte[] bytes = new SafetensorsWriter().addNDArray("f", f).addNDArray("l", l)
                    .addFloats("h", DType.F16, new long[] {2}, new float[] {0.5f, -2f})
                    .addFloats("b", DType.BF16, new long[] {1, 1}, new float[] {3f}).toByteArray();
            try (SafetensorsReader r = SafetensorsReader.open(bytes, "nd");
                    NDManager sub = manager.newSubManager()) {
                assertEquals(DType.F32, r.info("f").dtype());
                assertEquals(DType.I64, r.info("l").dtype());
                NDArray f2 = r.readNDArray("f", sub);
                assertEquals(new Shape(2, 3), f2.getShape());
                assertEquals(DataType.FLOAT32, f2.getDataType());
                assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, f2.toFloatArray());
                assertEquals(sub, f2.getManager());
                NDArray l2 = r.readNDArray("l", sub);
                assertEquals(DataType.INT64, l2.getDataType());
                assertArrayEquals(new long[] {7, -8}, l2.toLongArray());
                NDArray h = r.readNDArray("h", sub);
                assertEquals(DataType.FLOAT16, h.getDataType());
                assertArrayEquals(new float[] {0.5f, -2f}, h.toType(DataType.FLOAT32, false).toFloatArray());
                NDArray b = r.readNDArray("b", sub);
                assertEquals(DataType.FLOAT32, b.getDataType(), "BF16 widened");
                assertEquals(new Shape(1, 1), b.getShape());
                assertArrayEquals(new float[] {3f}, b.toFloatArray());
            }
        }
    }
}
