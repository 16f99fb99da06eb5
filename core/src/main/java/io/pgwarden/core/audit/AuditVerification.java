package io.pgwarden.core.audit;

import java.util.Optional;

/**
 * What {@link AuditChainVerifier} found in one audit file or table stream.
 *
 * @param records the lines read, header and checkpoints included, up to the first broken link
 * @param checkpoints the checkpoint lines among them
 * @param macsVerified whether the checkpoints' MACs were checked (a key was given)
 * @param previousHash the header's {@code prev}: the last hash of the previous file, or 64 zeros for the first file and for a table stream
 * @param uncovered the records after the last checkpoint, which only the chain protects
 * @param closed whether the file ends with a checkpoint, as the writer leaves it when it closes the file
 * @param brokenLine where the first broken link is, 0 when intact: its line number in a file, its seq in a table
 * @param problem why that link is broken, empty when intact
 */
public record AuditVerification(long records, long checkpoints, boolean macsVerified, String previousHash, long uncovered,
                                boolean closed, long brokenLine, Optional<String> problem) {

    /**
     * Whether every link held.
     *
     * @return true when intact
     */
    public boolean intact() {
        return problem.isEmpty();
    }
}
