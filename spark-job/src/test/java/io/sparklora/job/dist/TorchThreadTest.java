package io.sparklora.job.dist;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every caller's PyTorch work lands on one thread (so libgomp keeps one worker team per JVM). */
class TorchThreadTest {
    @Test
    void callsFromManyThreadsRunOnOneThreadAndNestInline() throws Exception {
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            for (int i = 0; i < 16; i++) {
                callers.submit(() -> TorchThread.call(() -> seen.add(Thread.currentThread())));
            }
        } finally {
            callers.shutdown();
            assertTrue(callers.awaitTermination(30, TimeUnit.SECONDS));
        }
        assertEquals(1, seen.size(), "threads used: " + seen);
        Thread torch = seen.iterator().next();
        assertEquals("sparklora-torch", torch.getName());
        assertFalse(TorchThread.isCurrent());
        // A call from the PyTorch thread runs inline instead of waiting for itself.
        assertEquals(torch, TorchThread.call(() -> TorchThread.call(Thread::currentThread)));
    }

    @Test
    void failuresReachTheCaller() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchThread.call(() -> {
                    throw new IllegalArgumentException("bad shape");
                }));
        assertEquals("bad shape", e.getMessage());
        assertThrows(NullPointerException.class, () -> TorchThread.call(null));
    }
}
