package io.pgwarden.core.config;

import java.util.List;

/** How a configuration reload ended: applied, or rejected with the file's problems and nothing changed. */
public sealed interface ReloadOutcome {

    /**
     * The new configuration is in force for new logins and new server connections.
     *
     * @param changed the settings taken over, by YAML path
     * @param needsRestart the settings that changed in the file but keep their running value until a restart
     */
    record Applied(List<String> changed, List<String> needsRestart) implements ReloadOutcome {

        /** Copies the lists. */
        public Applied {
            changed = List.copyOf(changed);
            needsRestart = List.copyOf(needsRestart);
        }
    }

    /**
     * The file was not applied; the running configuration stays as it was.
     *
     * @param problems every problem, each naming its YAML path (or the file), never a secret
     */
    record Rejected(List<String> problems) implements ReloadOutcome {

        /** Copies the list. */
        public Rejected {
            problems = List.copyOf(problems);
        }
    }
}
