/**
 * Messages a server sends, plus CopyData and CopyDone, which clients send too. The Authentication
 * family is decoded with {@link io.pgwarden.core.protocol.backend.Authentication#decode}.
 */
package io.pgwarden.core.protocol.backend;
