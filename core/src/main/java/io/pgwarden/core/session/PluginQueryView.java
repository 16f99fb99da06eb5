package io.pgwarden.core.session;

import io.pgwarden.spi.Note;
import io.pgwarden.spi.QueryContext;
import io.pgwarden.spi.SessionContext;

/**
 * The statement as one plugin's onQuery sees it: the shared {@link QueryView}, plus notes recorded
 * under that plugin's name (also when the plugin notes from a later decision's stage).
 */
final class PluginQueryView implements QueryContext {

    private final QueryView view;
    private final String plugin;
    private final StatementNotes notes;

    PluginQueryView(QueryView view, String plugin, StatementNotes notes) {
        this.view = view;
        this.plugin = plugin;
        this.notes = notes;
    }

    @Override
    public SessionContext session() {
        return view.session();
    }

    @Override
    public Kind kind() {
        return view.kind();
    }

    @Override
    public String sql() {
        return view.sql();
    }

    @Override
    public String statementName() {
        return view.statementName();
    }

    @Override
    public void note(String key, String value) {
        notes.add(new Note(plugin, key, value));
    }
}
