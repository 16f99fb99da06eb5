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
        public void provision(PersonIdentity person, String strategy) {
        }

        @Override
        public void deprovision(PersonIdentity person) {
        }
    };

    /**
     * Before the backend login: creates the person's role when missing and makes its memberships
     * match the token's groups.
     *
     * @param person the authorized person
     * @param strategy the rule's strategy ({@code client-cert}: a LOGIN role; {@code set-role}: NOLOGIN)
     * @throws LoginRefusedException when the role cannot be provisioned (a role of that name exists
     *     and is not managed by pgwarden, the admin connection fails); shown to the client with 28000
     */
    void provision(PersonIdentity person, String strategy) throws LoginRefusedException;

    /**
     * After a refusal because the person has no allowed group any more: sets a managed role NOLOGIN.
     *
     * @param person the refused person
     */
    void deprovision(PersonIdentity person);
}
