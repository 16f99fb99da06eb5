package io.pgwarden.core.cli;

/** A login command: it works on a login profile, through its {@link ProfileOptions}. */
interface ProfileCommand {

    /**
     * The command's profile options (tests replace their environment).
     *
     * @return the options
     */
    ProfileOptions options();
}
