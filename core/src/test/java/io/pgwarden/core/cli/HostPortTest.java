package io.pgwarden.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {

    @Test
    void parsesHostAndPort() {
        assertThat(HostPort.parse("db.example.com:5433", 5432)).isEqualTo(new HostPort("db.example.com", 5433));
        assertThat(HostPort.parse("10.0.0.5", 5432)).isEqualTo(new HostPort("10.0.0.5", 5432));
        assertThat(HostPort.parse("[::1]:6000", 5432)).isEqualTo(new HostPort("::1", 6000));
        assertThat(HostPort.parse("[fe80::1]", 6432)).isEqualTo(new HostPort("fe80::1", 6432));
    }

    @Test
    void listenAddressesMayAskForAnyFreePort() {
        assertThat(new HostPort.ListenConverter().convert("127.0.0.1:0")).isEqualTo(new HostPort("127.0.0.1", 0));
        assertThat(new HostPort.ListenConverter().convert("0.0.0.0")).isEqualTo(new HostPort("0.0.0.0", 6432));
        assertThatThrownBy(() -> new HostPort.BackendConverter().convert("db:0")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void printsBracketsAroundIpv6() {
        assertThat(new HostPort("::1", 1).toString()).isEqualTo("[::1]:1");
        assertThat(new HostPort("db", 2).toString()).isEqualTo("db:2");
    }

    @Test
    void refusesMalformedAddresses() {
        for (String bad : new String[] {"", "db:", "db:0", "db:65536", "db:99999", "::1:5432", "db:5432:1", "d b:1",
            "db;rm -rf:1", "'quoted':1", "[::1", "host:port"}) {
            assertThatThrownBy(() -> HostPort.parse(bad, 5432)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
