package io.pgwarden.core.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * A network in CIDR notation ({@code 10.0.0.0/8}, {@code ::1/128}); a bare address is a /32 or /128.
 *
 * @param network the network address bytes
 * @param prefixLength the number of leading bits that must match
 * @param text the text as written
 */
public record Cidr(byte[] network, int prefixLength, String text) {

    /** Checks the prefix length. */
    public Cidr {
        Objects.requireNonNull(network, "network");
        if (prefixLength < 0 || prefixLength > network.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range");
        }
        network = network.clone();
    }

    /**
     * Parses CIDR text. Only literal addresses are accepted, never host names.
     *
     * @param text e.g. {@code 192.168.0.0/16}
     * @return the network
     * @throws IllegalArgumentException when the text is not CIDR
     */
    public static Cidr parse(String text) {
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        if (!address.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            throw new IllegalArgumentException("not an IP address: '" + address + "'");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + address + "'", e);
        }
        int prefix;
        try {
            prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(trimmed.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a prefix length: '" + trimmed.substring(slash + 1) + "'", e);
        }
        return new Cidr(bytes, prefix, trimmed);
    }

    /**
     * Whether the address lies in this network. IPv4-mapped IPv6 addresses match IPv4 networks.
     *
     * @param address the client address
     * @return true when it matches
     */
    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length == 16 && network.length == 4 && isV4Mapped(candidate)) {
            candidate = java.util.Arrays.copyOfRange(candidate, 12, 16);
        }
        if (candidate.length != network.length) {
            return false;
        }
        int fullBytes = prefixLength / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (candidate[i] != network[i]) {
                return false;
            }
        }
        int remainingBits = prefixLength % 8;
        if (remainingBits == 0) {
            return true;
        }
        int mask = 0xFF << (8 - remainingBits) & 0xFF;
        return (candidate[fullBytes] & mask) == (network[fullBytes] & mask);
    }

    private static boolean isV4Mapped(byte[] v6) {
        for (int i = 0; i < 10; i++) {
            if (v6[i] != 0) {
                return false;
            }
        }
        return v6[10] == (byte) 0xFF && v6[11] == (byte) 0xFF;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Cidr cidr && prefixLength == cidr.prefixLength && java.util.Arrays.equals(network, cidr.network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefixLength;
    }

    @Override
    public String toString() {
        return text;
    }
}
