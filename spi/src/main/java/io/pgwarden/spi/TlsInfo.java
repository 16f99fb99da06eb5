package io.pgwarden.spi;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Facts about a client's TLS session.
 *
 * @param protocol the protocol, e.g. {@code TLSv1.3}
 * @param cipherSuite the cipher suite
 * @param serverName the SNI host name the client asked for, or {@code null}
 * @param clientCertificates the client's verified certificate chain, leaf first; empty when none
 * @param direct true when the client started TLS at once (libpq {@code sslnegotiation=direct})
 */
public record TlsInfo(String protocol, String cipherSuite, String serverName,
                      List<X509Certificate> clientCertificates, boolean direct) {

    /** Copies the chain. */
    public TlsInfo {
        clientCertificates = List.copyOf(clientCertificates);
    }
}
