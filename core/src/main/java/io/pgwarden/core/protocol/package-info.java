/**
 * The PostgreSQL frontend/backend protocol 3 (3.0 and 3.2) codec: byte layouts and nothing else.
 *
 * <h2>Framing</h2>
 * <ul>
 *   <li>{@link io.pgwarden.core.protocol.PgFrameDecoder} splits typed messages into
 *       {@link io.pgwarden.core.protocol.Frame}s (type byte, payload = body after the Int32
 *       length, a retained slice that the receiver releases). The length is checked from the 5-byte
 *       header, before the body is buffered.</li>
 *   <li>The untyped packets a connection starts with are framed by the handshake
 *       ({@code io.pgwarden.core.frontend.HandshakeHandler}, which must see the first byte
 *       itself to tell direct TLS from a startup packet) and decoded by
 *       {@link io.pgwarden.core.protocol.frontend.StartupPacket#decode}.</li>
 *   <li>The decoder throws {@link io.pgwarden.core.protocol.ProtocolException}, which is a Netty
 *       {@code DecoderException} and so reaches {@code exceptionCaught} unwrapped, and then
 *       discard all further input.</li>
 * </ul>
 *
 * <h2>Messages</h2>
 * One record per message in {@code frontend} (sent by clients) and {@code backend} (sent by
 * servers), named as in the protocol documentation. CopyData and CopyDone travel both ways and
 * live in {@code backend}: {@link io.pgwarden.core.protocol.backend.CopyData},
 * {@link io.pgwarden.core.protocol.backend.CopyDone}. Every message has
 * {@code static X decode(ByteBuf payload)}, which reads the payload's readable bytes (advancing
 * its reader index, never releasing it), and {@code void encode(ByteBuf out)}, which appends the
 * whole message: type byte, length (written as a placeholder and patched), body. Startup packets
 * have no type byte.
 *
 * <h2>Decoding rules</h2>
 * A decoder reads only within its payload and throws {@code ProtocolException} (SQLSTATE
 * {@code 08P01}, the message names the message type) for a truncated body, a string without its
 * terminator, a negative length, a count larger than the bytes that remain (checked before any
 * list or array is allocated), an unknown code or subtype, and bytes after the end of the message.
 * Int16 counts are unsigned (0 to 65535) as PostgreSQL reads them. Value lengths are Int32 with
 * -1 for NULL, decoded as a {@code null} element.
 *
 * <h2>Values</h2>
 * Records holding {@code byte[]} compare contents, do not copy their arrays, and never print
 * secrets (passwords, SASL data, cancel keys) in {@code toString()}.
 */
package io.pgwarden.core.protocol;
