/**
 * Messages a client sends: the untyped startup packets ({@link
 * io.pgwarden.core.protocol.frontend.StartupPacket}) and the typed messages of protocol 3. The
 * {@code 'p'} messages (PasswordMessage, SASLInitialResponse, SASLResponse, GSSResponse) cannot be
 * told apart by their bytes: decode with the class the authentication exchange expects. CopyData
 * and CopyDone, sent by both sides, are in {@code io.pgwarden.core.protocol.backend}.
 */
package io.pgwarden.core.protocol.frontend;
