package io.pgwarden.it.hooks;

import io.pgwarden.spi.ColumnInfo;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.ResultSetContext;
import io.pgwarden.spi.RowInterceptor;
import io.pgwarden.spi.Services;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Test plugin {@code test-secret-rewrite}: claims every result set with a column named {@code column}
 * (default {@code secret}) and rewrites that column's values by a fixed rule, so a test can make a value
 * longer, shorter, empty, NULL, or turn NULL into a value:
 * <ul>
 *   <li>NULL becomes {@value #FROM_NULL};</li>
 *   <li>{@code to-null} becomes NULL;</li>
 *   <li>{@code to-empty} becomes the empty string;</li>
 *   <li>a value starting with {@code shrink} becomes {@code s};</li>
 *   <li>{@value #EXPLODE} makes the row interceptor throw;</li>
 *   <li>any other value {@code v} becomes {@code [v] is a longer masked value}.</li>
 * </ul>
 * Result sets without the column are not claimed.
 */
public final class SecretColumnRewriter implements InterceptorFactory {

    static final String FROM_NULL = "was NULL";
    static final String EXPLODE = "explode";

    /** Every column this plugin claimed a result set for, so tests can check the format it arrived in. */
    static final Queue<ColumnInfo> CLAIMED = new ConcurrentLinkedQueue<>();

    @Override
    public String type() {
        return "test-secret-rewrite";
    }

    @Override
    public Interceptor create(PluginConfig config, Services services) {
        String column = config.string("column", "secret");
        return new Interceptor() {
            @Override
            public RowInterceptor claimResultSet(ResultSetContext context) {
                int index = context.indexOf(column);
                if (index < 0) {
                    return null;
                }
                CLAIMED.add(context.columns().get(index));
                return row -> row.setText(index, rewrite(row.text(index)));
            }
        };
    }

    /** The rule above; tests compute expectations with it. */
    static String rewrite(String value) {
        if (value == null) {
            return FROM_NULL;
        }
        if (value.equals(EXPLODE)) {
            throw new IllegalStateException("the test plugin was told to fail");
        }
        if (value.equals("to-null")) {
            return null;
        }
        if (value.equals("to-empty")) {
            return "";
        }
        if (value.startsWith("shrink")) {
            return "s";
        }
        return "[" + value + "] is a longer masked value";
    }
}
