package io.pgwarden.core.login;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Opens a URL in the person's browser, when there is a browser to open: {@code open} on macOS,
 * {@code rundll32 url.dll,FileProtocolHandler} on Windows, {@code xdg-open} on a Linux or BSD desktop (with
 * {@code DISPLAY} or {@code WAYLAND_DISPLAY}); not in an SSH session without a display.
 */
public interface BrowserLauncher {

    /**
     * Tells whether a browser can be opened here; decides between the browser and the device flow by default.
     *
     * @return true when a browser is expected to open
     */
    boolean available();

    /**
     * Tries to open the URL.
     *
     * @param url the URL
     * @return true when a browser was started
     */
    boolean open(URI url);

    /**
     * The launcher of this system.
     *
     * @param environment the process's environment
     * @return the launcher
     */
    static BrowserLauncher system(Map<String, String> environment) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        boolean ssh = environment.containsKey("SSH_CONNECTION") || environment.containsKey("SSH_TTY");
        List<String> command;
        boolean display;
        if (os.startsWith("mac")) {
            command = List.of("open");
            display = !ssh;
        } else if (os.startsWith("windows")) {
            command = List.of("rundll32", "url.dll,FileProtocolHandler");
            display = true;
        } else {
            command = List.of("xdg-open");
            display = environment.containsKey("DISPLAY") || environment.containsKey("WAYLAND_DISPLAY");
        }
        return new BrowserLauncher() {
            @Override
            public boolean available() {
                return display;
            }

            @Override
            public boolean open(URI url) {
                if (!display) {
                    return false;
                }
                try {
                    List<String> withUrl = new ArrayList<>(command);
                    withUrl.add(url.toString());
                    new ProcessBuilder(withUrl).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                    return true;
                } catch (IOException e) {
                    return false;
                }
            }
        };
    }
}
