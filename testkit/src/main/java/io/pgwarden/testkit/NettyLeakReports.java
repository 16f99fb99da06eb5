package io.pgwarden.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.Slf4JLoggerFactory;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Collects the leak reports of Netty's {@link ResourceLeakDetector}.
 *
 * <p>Netty reports a leak by logging at ERROR on the logger {@code io.netty.util.ResourceLeakDetector}, and only
 * when a later allocation polls the detector's queue of collected buffers. So an appender on that logger sees
 * every report whenever the detectors were created, and {@link #collect()} forces a GC and then allocates to
 * make pending reports come out. Reports appear reliably at level {@code paranoid}, which the build sets.
 * Netty does not track buffers of {@code UnpooledByteBufAllocator.DEFAULT} ({@code Unpooled.buffer()}), so
 * their leaks are never reported; buffers from the pooled and adaptive allocators, which servers use, are.
 */
public final class NettyLeakReports {

    private static final String LOGGER_NAME = ResourceLeakDetector.class.getName();
    private static final String APPENDER_NAME = "pgwarden-leak-check";
    private static final int FLUSH_ROUNDS = 2;
    private static final long SENTINEL_WAIT_MILLIS = 200;
    private static final NettyLeakReports INSTANCE = new NettyLeakReports();

    private final ConcurrentLinkedQueue<String> reports = new ConcurrentLinkedQueue<>();

    private NettyLeakReports() {
    }

    /** The collector, attached to Netty's leak logger (again, if a logging reconfiguration detached it). */
    public static NettyLeakReports install() {
        if (!(InternalLoggerFactory.getDefaultFactory() instanceof Slf4JLoggerFactory)) {
            throw new IllegalStateException("Netty does not log through SLF4J here ("
                    + InternalLoggerFactory.getDefaultFactory().getClass().getName() + "); leak reports cannot be read");
        }
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof ch.qos.logback.classic.LoggerContext)) {
            throw new IllegalStateException("SLF4J is not bound to Logback (" + factory.getClass().getName()
                    + "); leak reports cannot be read");
        }
        Logger logger = (Logger) LoggerFactory.getLogger(LOGGER_NAME);
        synchronized (INSTANCE) {
            if (logger.getAppender(APPENDER_NAME) == null) {
                Collector collector = new Collector(INSTANCE.reports);
                collector.setName(APPENDER_NAME);
                collector.setContext(logger.getLoggerContext());
                collector.start();
                logger.addAppender(collector);
            }
            // Netty only formats a report when ERROR is enabled on its logger.
            if (logger.getLevel() != null && !logger.getLevel().isGreaterOrEqual(Level.ERROR)) {
                logger.setLevel(Level.ERROR);
            }
        }
        return INSTANCE;
    }

    /** Forgets the reports collected so far, without flushing. */
    public void clear() {
        reports.clear();
    }

    /**
     * Forces garbage collection, makes Netty report what it found, and returns (and forgets) every report
     * collected since the last call.
     */
    public List<String> collect() {
        for (int round = 0; round < FLUSH_ROUNDS; round++) {
            ReferenceQueue<Object> processed = new ReferenceQueue<>();
            WeakReference<Object> sentinel = new WeakReference<>(new Object(), processed);
            System.gc();
            try {
                // The reference handler thread enqueues what the GC collected after System.gc() returns; once the
                // sentinel is through, Netty's collected buffers are in its queue too (the second round makes sure).
                processed.remove(SENTINEL_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            sentinel.clear();
            // Any tracked allocation polls the ByteBuf detector's queue. Unpooled.buffer() is not tracked in 4.2.
            ByteBuf probe = PooledByteBufAllocator.DEFAULT.heapBuffer(1);
            probe.release();
        }
        List<String> drained = new ArrayList<>();
        for (String report = reports.poll(); report != null; report = reports.poll()) {
            drained.add(report);
        }
        return drained;
    }

    private static final class Collector extends AppenderBase<ILoggingEvent> {

        private final ConcurrentLinkedQueue<String> sink;

        Collector(ConcurrentLinkedQueue<String> sink) {
            this.sink = sink;
        }

        @Override
        protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
                sink.add(event.getFormattedMessage());
            }
        }
    }
}
