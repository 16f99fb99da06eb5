package com.example.dropguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Keeps the code shown in docs/plugins.md identical to the code this build compiles and tests. */
class GuideExampleTest {

    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path GUIDE = MODULE.resolve("../../docs/plugins.md").normalize();
    private static final Path SOURCES = MODULE.resolve("src/test/java/com/example/dropguard");

    @Test
    void guideShowsTheFactoryAsCompiled() throws IOException {
        assertThat(Files.readString(GUIDE)).contains(Files.readString(SOURCES.resolve("DropGuardFactory.java")).strip());
    }

    @Test
    void guideShowsTheInterceptorAsCompiled() throws IOException {
        assertThat(Files.readString(GUIDE)).contains(Files.readString(SOURCES.resolve("DropGuardInterceptor.java")).strip());
    }
}
