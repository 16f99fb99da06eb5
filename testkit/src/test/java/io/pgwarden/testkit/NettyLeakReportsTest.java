package io.pgwarden.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the leak check sees real leaks. Each test drains the reports itself, so the auto-registered
 * {@link LeakCheckExtension} finds nothing left and the suite stays green.
 */
class NettyLeakReportsTest {

    private NettyLeakReports reports;

    @BeforeEach
    void install() {
        reports = NettyLeakReports.install();
        reports.collect();
    }

    @Test
    void buildRunsTheDetectorAtParanoid() {
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    }

    @Test
    void leakedBufferOfTheDefaultAllocatorIsReported() {
        leakDefaultAllocatorBuffer();

        List<String> found = reports.collect();

        assertThat(found).isNotEmpty();
        assertThat(found.get(0)).contains("LEAK").contains("ByteBuf.release()");
        assertThat(String.join("\n", found)).contains("leakDefaultAllocatorBuffer");
    }

    @Test
    void leakedPooledDirectBufferIsReported() {
        leakPooledDirectBuffer();

        assertThat(reports.collect()).anySatisfy(report -> assertThat(report).contains("leakPooledDirectBuffer"));
    }

    @Test
    void releasedBuffersAreNotReported() {
        for (int i = 0; i < 100; i++) {
            ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(64);
            buffer.writeLong(i);
            buffer.release();
        }

        assertThat(reports.collect()).isEmpty();
    }

    @Test
    void collectForgetsWhatItReturned() {
        leakDefaultAllocatorBuffer();
        assertThat(reports.collect()).isNotEmpty();

        assertThat(reports.collect()).isEmpty();
    }

    private static void leakDefaultAllocatorBuffer() {
        ByteBuf buffer = ByteBufAllocator.DEFAULT.heapBuffer(16);
        buffer.writeInt(42);
    }

    private static void leakPooledDirectBuffer() {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        buffer.writeInt(42);
    }
}
