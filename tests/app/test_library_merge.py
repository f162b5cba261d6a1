"""The record-level merge: each field's rule, deletions, renames, notes, and symmetry (checked with hypothesis)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.app.library_merge import (
    BOTH_VERSIONS,
    END_OF_VERSIONS,
    OTHER_VERSION,
    Side,
    merge_libraries,
    merge_text,
    restored_base,
)
from readlist.core.model import Paper, tag_time_key
from readlist.storage.snapshot import decode_snapshot, encode_snapshot

T0 = "2030-01-01T00:00:00+00:00"


def at(second: int) -> str:
    return f"2030-01-01T00:{second // 60:02d}:{second % 60:02d}+00:00"


def paper(pid: str = "2401.00001", **values: Any) -> Paper:
    base: dict[str, Any] = {"id": pid, "title": f"Paper {pid}", "added": T0, "updated": T0}
    base.update(values)
    return msgspec.convert(base, Paper)


def edit(p: Paper, when: int, **values: Any) -> Paper:
    """``p`` with user fields changed at time ``when``, stamped the way the command layer stamps them."""
    stamp = at(when)
    changed = {**p.changed, **dict.fromkeys(values, stamp)}
    if "tags" in values:
        for tag in set(p.tags) ^ set(values["tags"]):
            changed[tag_time_key(tag)] = stamp
    return msgspec.structs.replace(p, **values, updated=stamp, changed=changed)


def side(*papers: Paper, deleted: dict[str, str] | None = None) -> Side:
    return Side.of(papers, deleted)


def merged(base: Side, ours: Side, theirs: Side) -> dict[str, Paper]:
    result = merge_libraries(base, ours, theirs)
    mirror = merge_libraries(base, theirs, ours)
    assert result.papers == mirror.papers and result.deleted == mirror.deleted  # symmetric, always
    return {p.id: p for p in result.papers}


def test_a_field_changed_on_one_side_takes_that_side() -> None:
    b = paper()
    got = merged(side(b), side(edit(b, 5, rating=4)), side(edit(b, 9, tags=["rl"])))["2401.00001"]
    assert got.rating == 4 and got.tags == ["rl"]
    assert got.changed["rating"] == at(5) and got.changed["tags"] == at(9)


def test_a_paper_added_on_both_sides_takes_each_sides_own_change_without_a_contest() -> None:
    """No base: both machines imported the paper (the same day's papers pulled on each, or a library joined to
    another), one rated and marked it, the other tagged it. Fields a side left as its import left them are no change
    of that side's: nothing is "settled by the later change", which would tell the user a change may have been lost."""
    here, there = paper(added=at(1), updated=at(1)), paper(added=at(2), updated=at(2))
    ours = edit(here, 5, rating=4, status="read", read_at=at(5), prev_status="inbox")
    theirs = edit(there, 3, tags=["rl"])
    result = merge_libraries(side(), side(ours), side(theirs))
    got = merged(side(), side(ours), side(theirs))["2401.00001"]
    assert (got.rating, got.status, got.read_at, got.tags) == (4, "read", at(5), ["rl"])
    assert result.report.later_won == []
    # Both sides changed the rating: the later change decides, and says so, as with a base.
    rerated = edit(theirs, 2, rating=1)
    assert merged(side(), side(ours), side(rerated))["2401.00001"].rating == 4
    assert merge_libraries(side(), side(ours), side(rerated)).report.later_won == ["2401.00001"]


def test_one_sided_change_wins_even_when_its_time_is_older_than_the_base() -> None:
    """Only a conflict consults the clocks; a change made on one side only is never undone by them."""
    b = edit(paper(), 50, status="reading")
    o = edit(b, 10, rating=2)  # a machine whose clock is behind
    assert merged(side(b), side(o), side(b))["2401.00001"].rating == 2


@pytest.mark.parametrize("ours_first", [True, False])
def test_status_rating_and_read_date_the_later_change_wins(ours_first: bool) -> None:
    b = paper()
    early, late = (1, 2) if ours_first else (2, 1)
    o = edit(b, early, status="read", read_at=at(early), prev_status="inbox", rating=5)
    t = edit(b, late, status="skipped", rating=1)
    got = merged(side(b), side(o), side(t))["2401.00001"]
    winner = t if ours_first else o
    assert (got.status, got.rating, got.read_at, got.prev_status) == (
        winner.status, winner.rating, winner.read_at, winner.prev_status)
    report = merge_libraries(side(b), side(o), side(t)).report
    assert report.later_won == ["2401.00001"]


def test_status_never_mixes_with_the_other_sides_read_date() -> None:
    b = paper()
    o = edit(b, 1, status="read", read_at=at(1), prev_status="inbox")
    t = edit(b, 2, status="skipped")  # later, and it never had a read date
    got = merged(side(b), side(o), side(t))["2401.00001"]
    assert (got.status, got.read_at, got.prev_status) == ("skipped", None, None)


def test_equal_times_are_settled_by_the_values_not_by_who_merges() -> None:
    b = paper()
    o, t = edit(b, 3, status="to-read", rating=2), edit(b, 3, status="read", rating=4)
    got = merged(side(b), side(o), side(t))["2401.00001"]
    assert (got.status, got.rating) == ("read", 4)  # the further status, the higher rating


def test_unknown_times_count_as_older_than_any_known_one() -> None:
    b = paper()
    o = msgspec.structs.replace(b, rating=5)  # written by a readlist that kept no change times
    t = edit(b, 1, rating=2)
    assert merged(side(b), side(o), side(t))["2401.00001"].rating == 2


def test_tags_merge_as_sets_each_tag_on_its_own() -> None:
    b = edit(paper(), 1, tags=["a", "b", "c"])
    o = edit(b, 2, tags=["a", "c", "x"])  # removed b, added x
    t = edit(b, 3, tags=["a", "b", "y"])  # removed c, added y
    assert merged(side(b), side(o), side(t))["2401.00001"].tags == ["a", "x", "y"]


def test_a_later_re_add_of_a_tag_beats_an_earlier_removal_elsewhere() -> None:
    b = edit(paper(), 1, tags=["rl"])
    o = edit(edit(b, 2, tags=[]), 5, tags=["rl"])  # removed, then put back later
    t = edit(b, 3, tags=[])  # removed in between
    assert merged(side(b), side(o), side(t))["2401.00001"].tags == ["rl"]
    o2 = edit(edit(b, 2, tags=[]), 3, tags=["rl"])
    t2 = edit(b, 5, tags=[])  # this removal is the later one
    assert merged(side(b), side(o2), side(t2))["2401.00001"].tags == []


def test_tags_an_import_filled_without_a_time_are_kept() -> None:
    b = paper()
    o = msgspec.structs.replace(b, tags=["from-import"])
    t = edit(b, 9, rating=3)
    assert merged(side(b), side(o), side(t))["2401.00001"].tags == ["from-import"]


def test_notes_edited_in_different_places_merge_line_by_line() -> None:
    b = edit(paper(), 1, note="one\ntwo\nthree\n")
    o = edit(b, 2, note="ONE\ntwo\nthree\n")
    t = edit(b, 3, note="one\ntwo\nTHREE\n")
    got = merged(side(b), side(o), side(t))["2401.00001"]
    assert got.note == "ONE\ntwo\nTHREE\n"
    report = merge_libraries(side(b), side(o), side(t)).report
    assert report.notes_merged == ["2401.00001"] and report.notes_both_kept == []


def test_notes_edited_on_the_same_lines_keep_both_versions_under_markers() -> None:
    b = edit(paper(), 1, note="intro\nverdict: maybe\nend\n")
    o = edit(b, 2, note="intro\nverdict: strong accept\nend\n")
    t = edit(b, 3, note="intro\nverdict: weak reject\nend\n")
    got = merged(side(b), side(o), side(t))["2401.00001"].note
    assert got == (f"intro\n{BOTH_VERSIONS}\nverdict: strong accept\n{OTHER_VERSION}\nverdict: weak reject\n"
                   f"{END_OF_VERSIONS}\nend\n")  # the earlier edit first
    report = merge_libraries(side(b), side(o), side(t)).report
    assert report.notes_both_kept == ["2401.00001"]


def test_paragraphs_appended_on_both_sides_are_both_kept_without_markers() -> None:
    b = edit(paper(), 1, note="shared\n")
    o = edit(b, 2, note="shared\n\nfrom the laptop\n")
    t = edit(b, 3, note="shared\n\nfrom the workstation\n")
    assert merged(side(b), side(o), side(t))["2401.00001"].note == (
        "shared\n\nfrom the laptop\n\nfrom the workstation\n")


def test_merge_text_never_drops_a_line_either_side_wrote() -> None:
    text, conflict = merge_text("a\nb\nc\n", "a\nX\nc\nd\n", "a\nY\nc\n")
    assert conflict and all(line in text for line in ("X", "Y", "a", "c", "d"))
    assert merge_text("a\n", "a\n", "a\nb\n") == ("a\nb\n", False)
    assert merge_text("", "", "") == ("", False)


def test_imported_metadata_follows_the_import_rules() -> None:
    b = paper(upvotes=3, published="2024")
    o = msgspec.structs.replace(b, upvotes=10, published="2024-05-02", abstract="Short.")
    t = msgspec.structs.replace(b, upvotes=7, abstract="A longer abstract.", doi="10.1/x")
    got = merged(side(b), side(o), side(t))["2401.00001"]
    assert (got.upvotes, got.published, got.abstract, got.doi) == (10, "2024-05-02", "A longer abstract.", "10.1/x")


def test_a_detail_corrected_by_hand_beats_an_import_and_the_later_correction_wins() -> None:
    b = paper(abstract="As the page had it.", title="A paper cut sho")
    corrected = edit(b, 5, abstract="My own summary.")
    refreshed = msgspec.structs.replace(b, abstract="A much longer abstract, refreshed by a later import.")
    got = merged(side(b), side(corrected), side(refreshed))["2401.00001"]
    assert got.abstract == "My own summary." and got.changed["abstract"] == at(5)  # still the user's
    early, late = edit(b, 5, title="A paper cut short"), edit(b, 9, title="A Paper Cut Short")
    got = merged(side(b), side(early), side(late))["2401.00001"]
    assert got.title == "A Paper Cut Short" and got.changed["title"] == at(9)


def test_a_detail_both_sides_corrected_differently_is_named_as_settled_by_the_later_change() -> None:
    """Like a rating both sides changed: the later correction may have replaced one made here, so the user is told."""
    b = paper(title="A paper cut sho")
    early, late = edit(b, 5, title="A paper cut short"), edit(b, 9, title="A Paper Cut Short")
    assert merge_libraries(side(b), side(early), side(late)).report.later_won == ["2401.00001"]
    assert merge_libraries(side(b), side(late), side(early)).report.later_won == ["2401.00001"]
    refreshed = msgspec.structs.replace(b, title="A paper cut short (v2)")  # an import: it stamps nothing
    assert merge_libraries(side(b), side(early), side(refreshed)).report.later_won == ["2401.00001"]
    # Nothing to tell where one side only corrected it, or both made the same correction, or another field changed.
    quiet = [(early, b), (early, edit(b, 9, title="A paper cut short")), (early, edit(b, 9, rating=3)),
             (edit(b, 5, abstract="Mine."), edit(b, 9, title="A Paper Cut Short"))]
    for ours, theirs in quiet:
        assert merge_libraries(side(b), side(ours), side(theirs)).report.later_won == []


def test_corrected_authors_keep_their_count_over_a_longer_list_imported_on_the_other_side() -> None:
    """The count goes with the corrected names: the other side's count would cite them as "… and others"."""
    b = paper(title="A paper cut sho", authors_count=3)  # a text copy: three authors, no names
    corrected = edit(b, 5, authors=["Ada Lovelace", "Alan Turing"], authors_count=2)
    corrected = msgspec.structs.replace(corrected, changed={"authors": at(5)})  # as `readlist edit` stamps it
    imported = msgspec.structs.replace(b, authors=["A", "B", "C", "D"], authors_count=4)
    got = merged(side(b), side(corrected), side(imported))["2401.00001"]
    assert (got.authors, got.authors_count) == (["Ada Lovelace", "Alan Turing"], 2)


def test_a_correction_undone_after_a_sync_gives_the_field_back_to_the_sources() -> None:
    corrected = edit(paper(title="A paper cut sho"), 5, title="A paper cut short")  # synced: the base has it
    undone = msgspec.structs.replace(corrected, title="A paper cut sho", changed={})
    got = merged(side(corrected), side(undone), side(corrected))["2401.00001"]
    assert got.title == "A paper cut sho" and "title" not in got.changed


def test_a_deletion_travels_and_an_old_copy_does_not_bring_the_paper_back() -> None:
    b = paper()
    result = merge_libraries(side(b), side(deleted={b.id: at(4)}), side(b))
    assert result.papers == [] and result.deleted == {b.id: at(4)}
    assert result.report.kept_here == result.report.kept_there == []


def test_an_edit_later_than_the_deletion_keeps_the_paper_and_says_so() -> None:
    b = paper()
    result = merge_libraries(side(b), side(edit(b, 9, rating=5)), side(deleted={b.id: at(4)}))
    assert [p.rating for p in result.papers] == [5] and result.deleted == {}
    assert result.report.kept_here == [b.id]
    mirror = merge_libraries(side(b), side(deleted={b.id: at(4)}), side(edit(b, 9, rating=5)))
    assert mirror.report.kept_there == [b.id]


def test_an_edit_earlier_than_the_deletion_is_gone_with_the_paper_and_says_so() -> None:
    b = paper()
    result = merge_libraries(side(b), side(edit(b, 2, rating=5)), side(deleted={b.id: at(4)}))
    assert result.papers == [] and result.report.dropped_here == [b.id]


def test_a_paper_imported_again_after_its_deletion_stays() -> None:
    b = side(deleted={"2401.00001": at(3)})
    again = paper(added=at(8), updated=at(8))
    result = merge_libraries(b, side(again), side(deleted={"2401.00001": at(3)}))
    assert [p.id for p in result.papers] == ["2401.00001"]


def test_a_rename_merges_edits_made_under_the_old_id() -> None:
    """Enrichment gave a text copy its arXiv id on one side; the other edited it under the old id."""
    old = paper("t-0123456789", title="A paper")
    renamed = msgspec.structs.replace(old, id="2401.00002", arxiv_id="2401.00002", aliases=["t-0123456789"],
                                      authors=["A. Author"])
    edited = edit(old, 5, status="reading", note="read section 2\n")
    result = merge_libraries(side(old), side(renamed, deleted={old.id: at(3)}), side(edited))
    assert [p.id for p in result.papers] == ["2401.00002"] and result.deleted == {}
    got = result.papers[0]
    assert (got.status, got.note, got.authors, got.aliases) == ("reading", "read section 2\n", ["A. Author"],
                                                                 ["t-0123456789"])
    assert result.report.renamed == {"t-0123456789": "2401.00002"}


def test_both_sides_adding_the_same_paper_merge_without_a_base() -> None:
    o = edit(paper(), 2, tags=["a"], note="mine\n")
    t = edit(paper(), 3, tags=["b"], note="theirs\n")
    got = merged(side(), side(o), side(t))["2401.00001"]
    assert got.tags == ["a", "b"] and "mine" in got.note and "theirs" in got.note


def test_papers_added_on_both_sides_count_as_changed_only_where_the_user_touched_them() -> None:
    """Two copies that imported the same papers apart: a paper is "changed" on a side for a decision made there,
    not for being there; the report names them as added on both."""
    one, two, three = paper("2401.00001"), paper("2401.00002"), paper("2401.00003", updated=at(30))
    ours = side(edit(one, 5, rating=4), two, three)
    theirs = side(one, edit(two, 7, tags=["rl"]), paper("2401.00003", updated=at(40)))
    report = merge_libraries(side(), ours, theirs).report
    assert (report.changed_here, report.changed_there) == (["2401.00001"], ["2401.00002"])
    assert report.added_on_both == ["2401.00001", "2401.00002", "2401.00003"]
    mirror = merge_libraries(side(), theirs, ours).report
    assert (mirror.changed_here, mirror.changed_there) == (["2401.00002"], ["2401.00001"])
    # With a common record, the same papers count as before: by what changed since it.
    report = merge_libraries(side(one, two, three), ours, theirs).report
    assert (report.changed_here, report.changed_there, report.added_on_both) == (["2401.00001"], ["2401.00002"], [])


def test_a_paper_added_on_each_side_one_with_its_arxiv_id_one_without_is_one_paper() -> None:
    """No arXiv id on one record, the same normalized title: the same paper, as an import finds it."""
    copied = edit(paper("t-0123456789", title="Zeta: A Study of Things"), 5, status="read", note="mine\n")
    from_arxiv = edit(paper("2401.00002", arxiv_id="2401.00002", title="Zeta: a study of things",
                            authors=["A. Author"]), 6, rating=4)
    result = merge_libraries(side(), side(copied), side(from_arxiv))
    assert [p.id for p in result.papers] == ["2401.00002"] and result.deleted == {}
    got = result.papers[0]
    assert (got.status, got.rating, got.note, got.arxiv_id, got.authors, got.aliases) == (
        "read", 4, "mine\n", "2401.00002", ["A. Author"], ["t-0123456789"])
    assert result.report.renamed == {"t-0123456789": "2401.00002"}
    assert merged(side(), side(copied), side(from_arxiv)) == merged(side(), side(from_arxiv), side(copied))


def test_a_paper_without_an_arxiv_id_stays_apart_from_two_papers_with_its_title() -> None:
    """Two arXiv ids under one title are two papers: which one the text copy is cannot be told, as on import."""
    copied = paper("t-0123456789", title="Attention")
    one, two = (paper(pid, arxiv_id=pid, title="Attention") for pid in ("2401.00002", "2401.00003"))
    assert sorted(merged(side(), side(copied), side(one, two))) == ["2401.00002", "2401.00003", "t-0123456789"]


def test_records_of_one_paper_both_in_the_base_are_left_as_they_were() -> None:
    """Only papers added since the last sync are matched by title: a merge changes nothing else."""
    copied = paper("t-0123456789", title="Zeta")
    from_arxiv = paper("2401.00002", arxiv_id="2401.00002", title="Zeta")
    b = side(copied, from_arxiv)
    assert sorted(merged(b, side(copied, edit(from_arxiv, 5, rating=2)), b)) == ["2401.00002", "t-0123456789"]


# -- properties ------------------------------------------------------------------------------------

IDS = ["2401.00001", "2401.00002", "2401.00003", "t-aaaaaaaaaa", "t-bbbbbbbbbb"]
STATUSES = ["inbox", "to-read", "reading", "read", "skipped"]
TAGS = ["a", "b", "c"]
LINES = ["alpha\n", "beta\n", "gamma\n", "delta\n", ""]
ABSTRACTS = ["", "Short.", "A longer abstract.", "Another longer one."]
TITLES = ["A title", "A Title", "Another title"]

times = st.integers(min_value=0, max_value=40)


@st.composite
def records(draw: st.DrawFn, pid: str) -> Paper:
    p = paper(pid, status=draw(st.sampled_from(STATUSES)), rating=draw(st.integers(0, 5)),
              tags=sorted(draw(st.sets(st.sampled_from(TAGS)))), note="".join(draw(st.lists(st.sampled_from(LINES),
                                                                                             max_size=4))),
              upvotes=draw(st.none() | st.integers(0, 9)))
    for name in draw(st.sets(st.sampled_from(["status", "rating", "note", "tags"]))):
        p = edit(p, draw(times), **{name: getattr(p, name)})
    return p


@st.composite
def evolved(draw: st.DrawFn, base: dict[str, Paper], base_deleted: dict[str, str]) -> Side:
    """A copy of ``base`` after random changes: field edits with times, deletions, additions, a rename."""
    papers = dict(base)
    deleted = dict(base_deleted)
    for pid in IDS:
        action = draw(st.sampled_from(["keep", "keep", "edit", "edit", "delete", "add", "rename"]))
        if action == "edit" and pid in papers:
            p = papers[pid]
            for _ in range(draw(st.integers(1, 3))):
                name = draw(st.sampled_from(["status", "rating", "tags", "note", "upvotes", "abstract", "title"]))
                when = draw(st.integers(41, 80))
                if name == "status":
                    p = edit(p, when, status=draw(st.sampled_from(STATUSES)))
                elif name == "rating":
                    p = edit(p, when, rating=draw(st.integers(0, 5)))
                elif name == "tags":
                    p = edit(p, when, tags=sorted(draw(st.sets(st.sampled_from(TAGS)))))
                elif name == "note":
                    p = edit(p, when, note="".join(draw(st.lists(st.sampled_from(LINES), max_size=5))))
                elif name == "abstract":  # corrected by hand (stamped), or refreshed by an import (not)
                    text = draw(st.sampled_from(ABSTRACTS))
                    by_hand = draw(st.booleans())
                    p = edit(p, when, abstract=text) if by_hand else msgspec.structs.replace(p, abstract=text)
                elif name == "title":
                    p = edit(p, when, title=draw(st.sampled_from(TITLES)))
                else:
                    p = msgspec.structs.replace(p, upvotes=draw(st.integers(0, 9)))
            papers[pid] = p
        elif action == "delete" and pid in papers:
            del papers[pid]
            deleted[pid] = at(draw(st.integers(41, 80)))
        elif action == "add" and pid not in papers:
            papers[pid] = draw(records(pid))
            deleted.pop(pid, None)
        elif action == "rename" and pid.startswith("t-") and pid in papers:
            new_id = "2402." + pid[2:7].replace("a", "1").replace("b", "2")
            p = papers.pop(pid)
            papers[new_id] = msgspec.structs.replace(p, id=new_id, arxiv_id=new_id, aliases=[pid])
    return Side(papers, deleted)


@st.composite
def three_copies(draw: st.DrawFn) -> tuple[Side, Side, Side]:
    base = {pid: draw(records(pid)) for pid in draw(st.sets(st.sampled_from(IDS)))}
    base_deleted = {pid: at(draw(times)) for pid in IDS if pid not in base and draw(st.booleans())}
    return Side(base, base_deleted), draw(evolved(base, base_deleted)), draw(evolved(base, base_deleted))


@settings(max_examples=300, deadline=None)
@given(three_copies())
def test_the_merge_is_symmetric(copies: tuple[Side, Side, Side]) -> None:
    base, ours, theirs = copies
    one, two = merge_libraries(base, ours, theirs), merge_libraries(base, theirs, ours)
    assert [p.to_dict() for p in one.papers] == [p.to_dict() for p in two.papers]
    assert one.deleted == two.deleted
    assert one.report == two.report.mirrored()


@settings(max_examples=200, deadline=None)
@given(three_copies())
def test_the_result_is_a_valid_library_and_keeps_every_id_once(copies: tuple[Side, Side, Side]) -> None:
    result = merge_libraries(*copies)
    decoded = decode_snapshot(encode_snapshot(1, result.papers, "lib", result.deleted))
    assert [p.id for p in decoded.papers] == sorted({p.id for p in result.papers})
    assert not set(decoded.deleted) & {p.id for p in decoded.papers}
    aliases = {alias for p in decoded.papers for alias in p.aliases}
    assert not aliases & {p.id for p in decoded.papers}


@settings(max_examples=200, deadline=None)
@given(three_copies())
def test_merging_with_an_unchanged_copy_gives_the_changed_one(copies: tuple[Side, Side, Side]) -> None:
    base, ours, _ = copies
    result = merge_libraries(base, ours, base)
    expected = merge_libraries(ours, ours, ours)  # the changed copy, renames applied
    assert [p.to_dict() for p in result.papers] == [p.to_dict() for p in expected.papers]


@settings(max_examples=200, deadline=None)
@given(three_copies())
def test_no_line_of_a_note_is_lost_when_both_sides_edit_it(copies: tuple[Side, Side, Side]) -> None:
    base, ours, theirs = copies
    result = {p.id: p for p in merge_libraries(base, ours, theirs).papers}
    for pid, mine in ours.papers.items():
        yours = theirs.papers.get(pid)
        old = base.papers.get(pid)
        if pid not in result or yours is None:
            continue
        added = [line for side_ in (mine, yours) for line in side_.note.splitlines()
                 if old is None or line not in old.note.splitlines()]
        assert all(line in result[pid].note.splitlines() for line in added)


def test_a_restored_backup_merges_as_the_old_state_it_is_each_field_to_its_later_change() -> None:
    """Restored: the note and tag written elsewhere since the backup stand; its own newer rating comes back."""
    old = edit(paper(tags=["ml"]), 1, note="first words")
    synced = edit(edit(old, 5, note="first words\nA careful note"), 6, tags=["ml", "rl"])
    restored = edit(old, 3, rating=4)  # a change made here that no commit holds (a damaged file since)
    gone = paper("2401.00002")
    mine = Side.of([restored, gone])
    theirs = Side.of([synced], {"2401.00002": at(7)})
    merged = merge_libraries(restored_base(mine, theirs), mine, theirs)
    (got,) = merged.papers
    assert (got.rating, got.note, got.tags) == (4, "first words\nA careful note", ["ml", "rl"])
    assert merged.deleted == {"2401.00002": at(7)}  # deleted since the backup: it stays deleted
    # Nothing newer on the restored side: the synced library as it is.
    same = Side.of([old])
    assert merge_libraries(restored_base(same, theirs), same, theirs).papers == [synced]
