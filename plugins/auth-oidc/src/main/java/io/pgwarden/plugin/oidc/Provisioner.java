package io.pgwarden.plugin.oidc;

/**
 * Keeps a person's database role in step with their token, through an admin side connection: the
 * {@code provisioning} section. Called on the blocking executor, only for rules with
 * {@code provision: true}.
 */
interface Provisioner {

    /** Without a {@code provisioning} section: provisions nothing. */
    Provisioner NONE = new Provisioner() {
        @Override
        public void provision(String sessionId, PersonIdentity person, String strategy, String backend) {
        }

        @Override
        public void deprovision(String sessionId, PersonIdentity person, String backend) {
        }

        @Override
        public String toString() {
            return "Provisioner.NONE";
        }
    };

    /**
     * Before the backend login: creates the person's role when missing and makes its memberships
     * match the token's groups, in one transaction.
     *
     * @param sessionId the session, for logs
     * @param person the authorized person
     * @param strategy the rule's strategy ({@code client-cert}: a LOGIN role; {@code set-role}: NOLOGIN)
     * @param backend the backend of the rule's login, where the role lives
     * @throws LoginRefusedException when the role may not be provisioned (a role of that name exists
     *     and is not managed by pgwarden, or the name is reserved); shown to the client with 28000
     * @throws ProvisioningFailedException when the admin connection or a statement failed; shown with 08006
     */
    void provision(String sessionId, PersonIdentity person, String strategy, String backend)
            throws LoginRefusedException, ProvisioningFailedException;

    /**
     * After a refusal because the person has no allowed group any more: sets a managed role NOLOGIN
     * and revokes its managed memberships. Failures are logged, not thrown: the person is refused anyway.
     *
     * @param sessionId the session, for logs
     * @param person the refused person
     * @param backend the backend of the rule's login
     */
    void deprovision(String sessionId, PersonIdentity person, String backend);
}
