package io.pgwarden.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecuteContextTest {

    /** An implementation that overrides only what 1.4 asked for. */
    private record Execute(List<String> parameters) implements ExecuteContext {
        @Override
        public SessionContext session() {
            return null;
        }

        @Override
        public String sql() {
            return "SELECT $1, $2";
        }

        @Override
        public String statementName() {
            return "";
        }

        @Override
        public String portalName() {
            return "";
        }

        @Override
        public int parameterCount() {
            return parameters.size();
        }
    }

    @Test
    void parameterIsNullDefaultsToTheDecodedValues() {
        Execute execute = new Execute(Arrays.asList("a", null));

        assertThat(execute.parameterIsNull(0)).isFalse();
        assertThat(execute.parameterIsNull(1)).isTrue();
        assertThatThrownBy(() -> execute.parameterIsNull(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
