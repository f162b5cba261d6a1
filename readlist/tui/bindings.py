"""Every key of the terminal UI, in one place.

Each binding has an id, which is what ``[keymap]`` in config.toml remaps (Textual's keymap), and
a tooltip, which the help screen and the command palette show as the longer explanation. Keys
shared by the paper list and triage mode are one list, so one keymap entry remaps both.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

APP: list[BindingType] = [
    Binding("q", "quit", "Quit", id="quit"),
]

# A decision about the paper(s) at hand: the list's cursor or selection, or triage mode's paper.
DECISIONS: list[BindingType] = [
    Binding("s", "decide('keep')", "Keep", id="keep", tooltip="Keep: status to-read"),
    Binding("x", "decide('skip')", "Skip", id="skip", tooltip="Skip: status skipped"),
    Binding("R", "decide('reading')", "Reading", id="reading", tooltip="Start reading: status reading"),
    Binding("r", "decide('toggle_read')", "Read", id="toggle-read", tooltip="Toggle read (back to the status before)"),
    *(Binding(str(n), f"decide('rate_{n}')", f"Rate {n}", show=False, id=f"rate-{n}") for n in range(1, 6)),
    Binding("0", "decide('rate_0')", "Clear rating", show=False, id="rate-0"),
    Binding("u", "undo", "Undo", id="undo", tooltip="Undo the last change (bulk changes too)"),
    Binding("ctrl+r", "redo", "Redo", show=False, id="redo", tooltip="Redo what was undone"),
]

HELP = Binding("question_mark", "help", "Help", id="help", tooltip="Help: every key on this screen")
# n's editor opens notes of up to 2,000 lines; N hands a note of any length to the user's own editor.
NOTE_IN_EDITOR = Binding("N", "note_in_editor", "Note in $EDITOR", show=False, id="note-in-editor",
                         tooltip="Edit the note in $VISUAL or $EDITOR, however long")

# The paper's text (abstract, note) scrolls without leaving the list; shown in the footer as one entry.
_SCROLL = Binding.Group("Scroll text", compact=True)
SCROLL_TEXT: list[BindingType] = [
    Binding("J,shift+down", "scroll_text(1)", "Scroll text down", id="text-down", group=_SCROLL,
            tooltip="Scroll the abstract and note down"),
    Binding("K,shift+up", "scroll_text(-1)", "Scroll text up", id="text-up", group=_SCROLL,
            tooltip="Scroll the abstract and note up"),
]

# Help comes first: on an 80-column terminal the footer has room for about half the keys, and help lists
# them all (and the palette runs them by name).
MAIN: list[BindingType] = [
    HELP,
    *DECISIONS,
    # Priority: the search box has the focus before the next key is handed out, so "/r" typed at once searches
    # for "r" instead of toggling read on the paper under the cursor (MainScreen lets "/" through in the box).
    Binding("slash", "search", "Search", id="search", tooltip="Search (Esc clears)", priority=True),
    # Tab goes between the list and the search box (the search box's own Tab goes back).
    Binding("tab", "search", "Search box", show=False, id="focus-search",
            tooltip="To the search box, keeping the search typed there"),
    # The search stays applied after Enter moves to the list: it can be kept from there too.
    Binding("ctrl+s", "save_search", "Keep search as view", show=False, id="save-search-list",
            tooltip="Keep the search typed in the box as a view in the sidebar"),
    Binding("left_square_bracket", "previous_view", "Prev view", show=False, id="previous-view",
            tooltip="Previous view (Inbox, To read, Reading, Read, Skipped, All, Rated 4+, saved searches, tags)"),
    Binding("right_square_bracket", "next_view", "Next view", show=False, id="next-view", tooltip="Next view"),
    Binding("n", "note", "Note", id="note", tooltip="Edit the note (Markdown)"),
    NOTE_IN_EDITOR,
    Binding("t", "tags", "Tags", id="tags", tooltip="Edit tags"),
    Binding("e", "edit_details", "Details", show=False, id="edit-details",
            tooltip="Correct the paper's details: title, authors, date, links, venue, abstract"),
    Binding("y", "cite", "Cite", id="cite", tooltip="Copy a BibTeX citation"),
    Binding("Y", "cite_choose", "Cite as…", show=False, id="cite-choose",
            tooltip="Copy a citation in another format"),
    Binding("o", "open_url", "Open", show=False, id="open-url",
            tooltip="Open the paper's page in the browser (http(s) only; where none can open, the URL is copied)"),
    Binding("P", "open_pdf", "Open PDF", show=False, id="open-pdf",
            tooltip="Open the paper's PDF on arXiv in the browser (where none can open, the URL is copied)"),
    Binding("D", "delete", "Delete", show=False, id="delete",
            tooltip="Delete the paper (or the selection) after asking; undoable"),
    Binding("E", "enrich", "Enrich", show=False, id="enrich",
            tooltip="Complete the paper (or the selection) from arXiv and Hugging Face; Esc cancels"),
    Binding("m", "more_like", "More like", show=False, id="more-like",
            tooltip="A view of the papers most like this one (or like the selection together)"),
    Binding("T", "triage", "Triage", id="triage", tooltip="Triage mode: one paper at a time"),
    Binding("enter", "triage", "Open", show=False, id="open-paper",
            tooltip="Open the paper full-screen (triage mode from it; Esc returns)"),
    Binding("S", "stats", "Stats", show=False, id="stats", tooltip="Statistics"),
    Binding("O", "cycle_sort", "Sort", show=False, id="sort",
            tooltip="Next sort order (added, date, upvotes, rating, title, interest)"),
    Binding("L", "toggle_layout", "Layout", show=False, id="layout", tooltip="Detail pane beside or below the list"),
    Binding("escape", "escape", "Clear", show=False, id="clear",
            tooltip="Cancel a running enrichment or pull, else clear the selection, then the search"),
    *SCROLL_TEXT,
]

TRIAGE: list[BindingType] = [
    HELP,
    Binding("escape", "back", "Back", id="triage-back", tooltip="Back to the list"),
    *DECISIONS,
    Binding("down,j,right", "next", "Next", show=False, id="triage-next", tooltip="Next paper"),
    Binding("up,k,left", "previous", "Previous", show=False, id="triage-previous", tooltip="Previous paper"),
    # The list's keys for its first and last paper: here the first and last paper of the pile (j from the last goes
    # round to the top while papers are not looked at yet, else to the summary).
    Binding("g,home", "first", "First", show=False, id="triage-first", tooltip="First paper of the pile"),
    Binding("G,end", "last", "Last", show=False, id="triage-last", tooltip="Last paper of the pile"),
    Binding("space,pagedown", "page_text(1)", "Page down", show=False, id="triage-page-down",
            tooltip="Scroll the abstract a page down"),
    Binding("shift+space,pageup", "page_text(-1)", "Page up", show=False, id="triage-page-up",
            tooltip="Scroll the abstract a page up"),
    *SCROLL_TEXT,
    Binding("n", "note", "Note", id="note", tooltip="Edit the note (Markdown)"),
    NOTE_IN_EDITOR,
    Binding("t", "tags", "Tags", id="tags", tooltip="Edit tags"),
    Binding("o", "open_url", "Open", show=False, id="open-url",
            tooltip="Open the paper's page in the browser (http(s) only; where none can open, the URL is copied)"),
    Binding("P", "open_pdf", "Open PDF", show=False, id="open-pdf",
            tooltip="Open the paper's PDF on arXiv in the browser (where none can open, the URL is copied)"),
    Binding("y", "cite", "Cite", show=False, id="cite", tooltip="Copy a BibTeX citation"),
]

PAPER_LIST: list[BindingType] = [
    Binding("down,j", "cursor_down", "Down", show=False, id="cursor-down", tooltip="Next paper"),
    Binding("up,k", "cursor_up", "Up", show=False, id="cursor-up", tooltip="Previous paper"),
    Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="page-down"),
    Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="page-up"),
    Binding("ctrl+d", "half_page(1)", "Half a page down", show=False, id="half-page-down"),
    Binding("ctrl+u", "half_page(-1)", "Half a page up", show=False, id="half-page-up"),
    Binding("g,home", "first", "First paper", show=False, id="first"),
    Binding("G,end", "last", "Last paper", show=False, id="last"),
    Binding("space", "toggle_select", "Select", show=False, id="select",
            tooltip="Select or unselect the paper and move down; actions then apply to every selected paper"),
    Binding("ctrl+a", "select_all", "Select all", show=False, id="select-all",
            tooltip="Select every paper the list shows (the view, narrowed by the search); again unselects them"),
]

# Every Esc that closes a box (the search box's, the prompt's, the tag box's, the details form's, the note editor's),
# and the search box's ↓ and Tab, is a priority key, read by the app before the box sees it, as a box's Enter is (see
# TextInput): as a plain key it reached the box after the keys typed behind it had been handed to the box too, and
# those were typed into the closing box instead of acting where the key leads. Each waits for the box to take the
# keys typed before it.
SEARCH: list[BindingType] = [
    Binding("escape", "clear_search", "Clear search", id="clear-search", priority=True),
    Binding("down,tab", "to_list", "To the list", show=False, id="search-to-list", priority=True),
    Binding("ctrl+s", "screen.save_search", "Keep search as view", id="save-search",
            tooltip="Keep this search as a view in the sidebar"),
]

PROMPT: list[BindingType] = [
    Binding("escape", "cancel", "Cancel", id="cancel-prompt", priority=True),
]

DETAILS: list[BindingType] = [
    Binding("escape", "cancel", "Discard", id="cancel-details", priority=True),
    # Taken before the box in focus sees them: as a plain key, Tab went to the box first and moved the focus
    # only on its way back, and what was typed just after it landed in the box before (at 20-30 ms a key). Each
    # waits for the boxes to take the keys typed before it, and the app reads the keys after it only then.
    Binding("ctrl+s", "save", "Save", id="save-details", priority=True),
    Binding("tab", "next_box", "Next box", id="next-box", show=False, priority=True),
    Binding("shift+tab", "previous_box", "Previous box", id="previous-box", show=False, priority=True),
]

NOTE_EDITOR: list[BindingType] = [
    Binding("escape", "leave", "Save & back", id="leave-note", priority=True),
    Binding("ctrl+s", "save", "Save", id="save-note"),
]

TAG_EDITOR: list[BindingType] = [
    Binding("escape", "cancel", "Cancel", id="cancel-tags", priority=True),
    # Read by the app before the box sees the key, as the form's Tab is: as a plain key it went round the app while
    # the letters after it went into the box. It waits for the box to take the letters typed before it.
    Binding("tab", "complete", "Complete tag", id="complete-tag", priority=True),
]

# In a dialog without a text box (these formats, the confirmation below) q closes it, as Esc does: the app's q
# (quit) does not reach a dialog, and quitting from a question would surprise. In a text box q types.
CITE_CHOOSER: list[BindingType] = [
    Binding("escape,q", "cancel", "Cancel", id="cancel-cite"),
    Binding("j", "cursor_down", "Down", show=False, id="cite-down"),
    Binding("k", "cursor_up", "Up", show=False, id="cite-up"),
]

CONFIRM: list[BindingType] = [
    Binding("y", "answer(True)", "Yes", id="confirm-yes"),
    Binding("n,escape,q", "answer(False)", "No", id="confirm-no"),
]

HELP_SCREEN: list[BindingType] = [
    Binding("escape,q,question_mark", "dismiss_help", "Close help", id="close-help"),
    # The list's own keys move through the help too: on a small terminal it is longer than the screen.
    Binding("j,down", "scroll_help(1)", "Scroll down", show=False, id="help-down"),
    Binding("k,up", "scroll_help(-1)", "Scroll up", show=False, id="help-up"),
    Binding("g,home", "scroll_help_to(0)", "Top", show=False, id="help-top",
            tooltip="Scroll to the top"),
    Binding("G,end", "scroll_help_to(1)", "Bottom", show=False, id="help-bottom",
            tooltip="Scroll to the bottom"),
]

STATS: list[BindingType] = [
    Binding("escape,q,S", "close", "Back", id="stats-back"),
    # As in the help: on a small terminal the panels are taller than the screen, and the list's keys scroll them.
    Binding("j,down", "scroll_stats(1)", "Scroll down", show=False, id="stats-down"),
    Binding("k,up", "scroll_stats(-1)", "Scroll up", show=False, id="stats-up"),
    Binding("pagedown", "page_stats(1)", "Page down", show=False, id="stats-page-down"),
    Binding("pageup", "page_stats(-1)", "Page up", show=False, id="stats-page-up"),
    Binding("g,home", "scroll_stats_to(0)", "Top", show=False, id="stats-top",
            tooltip="Scroll to the top"),
    Binding("G,end", "scroll_stats_to(1)", "Bottom", show=False, id="stats-bottom",
            tooltip="Scroll to the bottom"),
    HELP,
]
