package io.sparklora.model.nn;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Direct buffers freed when we are done with them, not when the garbage collector gets round to it.
 * Copying Java arrays into PyTorch goes through a direct buffer; left to the GC, hundreds of MB of them
 * (a model's weights, every step's batches) stay resident until a collection, which a large heap may not
 * run for a long time. {@code sun.misc.Unsafe.invokeCleaner} (module {@code jdk.unsupported}) frees one
 * at once; where it is unavailable the GC still frees them, later.
 */
final class DirectBuffers {
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method cleaner = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafe = f.get(null);
            cleaner = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unsafe = null;
            cleaner = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = cleaner;
    }

    private DirectBuffers() {}

    static ByteBuffer allocate(long bytes) {
        if (bytes < 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("direct buffer of " + bytes + " bytes");
        }
        return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
    }

    /** Frees {@code buffer}'s memory now; it must not be used (or be viewed by a tensor) afterwards. */
    static void free(ByteBuffer buffer) {
        if (INVOKE_CLEANER != null && buffer.isDirect()) {
            try {
                INVOKE_CLEANER.invoke(UNSAFE, buffer);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // left to the garbage collector
            }
        }
    }
}
