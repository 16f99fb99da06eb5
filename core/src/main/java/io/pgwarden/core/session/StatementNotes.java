package io.pgwarden.core.session;

import io.pgwarden.spi.Note;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What plugins noted about one statement (a Parse or a simple Query) or one result set, in the
 * order they noted it. The list is created at the first note, so a statement nobody notes costs
 * one small object.
 */
final class StatementNotes {

    private List<Note> notes;

    void add(Note note) {
        if (notes == null) {
            notes = new ArrayList<>(2);
        }
        notes.add(note);
    }

    boolean isEmpty() {
        return notes == null;
    }

    /** Appends these notes to {@code out}. */
    void copyTo(List<Note> out) {
        if (notes != null) {
            out.addAll(notes);
        }
    }

    /** The notes so far, read-only. */
    List<Note> list() {
        return notes == null ? List.of() : Collections.unmodifiableList(notes);
    }
}
