"""The dependency table (registry.NEEDS): it names real checks, has no cycle, and orders runs."""

from __future__ import annotations

from envcheck.checks.base import Check, Finding, ok
from envcheck.checks.registry import CATEGORIES, NEEDS, all_checks
from envcheck.pipeline import execution_order, skipped_because, to_result
from envcheck.results import Status


def test_needs_name_existing_checks_and_categories() -> None:
    ids = {c.id for c in all_checks()}
    keys = {c.key for c in CATEGORIES}
    for name, needed in NEEDS.items():
        assert name in ids or name in keys, name
        for need in needed:
            assert need in ids, (name, need)


def test_no_check_needs_itself_or_a_cycle() -> None:
    checks = {c.id: c for c in all_checks()}

    def reaches(start: str, target: str, seen: frozenset[str] = frozenset()) -> bool:
        for need in checks[start].needs:
            if need == target or (need not in seen and reaches(need, target, seen | {need})):
                return True
        return False

    for check_id in checks:
        assert not reaches(check_id, check_id), check_id


def test_every_check_runs_after_what_it_needs() -> None:
    order = [c.id for c in execution_order(all_checks())]
    assert sorted(order) == sorted(c.id for c in all_checks())
    for check in all_checks():
        for need in check.needs:
            assert order.index(need) < order.index(check.id), (need, check.id)


def _check(check_id: str, needs: tuple[str, ...] = ()) -> Check:
    return Check(
        check_id, check_id.title(), check_id.split(".")[0], lambda ctx: ok("x"), needs=needs
    )


def test_skip_names_the_root_cause_through_a_chain() -> None:
    root, middle, leaf = (
        _check("a.root"),
        _check("b.middle", ("a.root",)),
        _check("c.leaf", ("b.middle",)),
    )
    done = {"a.root": to_result(root, Finding(Status.FAILURE, "broken", fix="f"), 0.0)}
    skipped_middle = skipped_because(middle, done)
    assert skipped_middle is not None
    done["b.middle"] = skipped_middle
    skipped_leaf = skipped_because(leaf, done)
    assert skipped_leaf is not None and skipped_leaf.status is Status.SKIPPED
    assert skipped_leaf.details["skipped_because"] == "a.root"
    assert "because A.Root failed" in skipped_leaf.summary


def test_a_warning_or_an_unselected_need_skips_nothing() -> None:
    root, leaf = _check("a.root"), _check("c.leaf", ("a.root",))
    assert skipped_because(leaf, {}) is None  # not selected: the check speaks for itself
    warned = {"a.root": to_result(root, Finding(Status.WARNING, "meh", fix="f"), 0.0)}
    assert skipped_because(leaf, warned) is None
