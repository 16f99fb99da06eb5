package io.pgwarden.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTest {

    @Test
    void prefixBitsDecideMembership() throws Exception {
        Cidr net = Cidr.parse("192.168.16.0/20");
        assertThat(net.contains(InetAddress.getByName("192.168.31.255"))).isTrue();
        assertThat(net.contains(InetAddress.getByName("192.168.32.0"))).isFalse();
    }

    @Test
    void bareAddressIsASingleHost() throws Exception {
        Cidr host = Cidr.parse("10.0.0.7");
        assertThat(host.contains(InetAddress.getByName("10.0.0.7"))).isTrue();
        assertThat(host.contains(InetAddress.getByName("10.0.0.8"))).isFalse();
    }

    @Test
    void ipv4MappedIpv6AddressMatchesIpv4Network() throws Exception {
        assertThat(Cidr.parse("127.0.0.0/8").contains(InetAddress.getByName("::ffff:127.0.0.1"))).isTrue();
    }

    @Test
    void hostNamesAndBadPrefixesAreRefused() {
        assertThatThrownBy(() -> Cidr.parse("db.example.com/24")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/x")).isInstanceOf(IllegalArgumentException.class);
    }
}
