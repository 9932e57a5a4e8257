"""Every audit action is a member of ``AuditEvent.Action`` (at most 20 characters), so the
audit page can name and filter every record: checked at every call site in the source and
refused at run time."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import linli
from linli.core.audit import audit_record
from linli.core.models import AuditEvent

SOURCE = Path(linli.__file__).parent
MEMBER_NAMES = {member.name for member in AuditEvent.Action}
MEMBER_VALUES = {member.value for member in AuditEvent.Action}
# Call sites whose action is computed, not written: checked at run time by audit_record.
COMPUTED = {
    "linli/core/signals.py": "_ADMIN_ACTIONS.get(entry.action_flag, AuditEvent.Action.UPDATE)"
}


def _actions(expression: ast.expr) -> list[ast.expr]:
    if isinstance(expression, ast.IfExp):
        return [*_actions(expression.body), *_actions(expression.orelse)]
    return [expression]


def _is_member(expression: ast.expr) -> bool:
    if isinstance(expression, ast.Constant):
        # Older modules (linli/triage) still write the value; it must still be a member.
        return expression.value in MEMBER_VALUES
    return (
        isinstance(expression, ast.Attribute)
        and expression.attr in MEMBER_NAMES
        and ast.unparse(expression.value) in {"AuditEvent.Action", "Action"}
    )


def _call_sites() -> list[tuple[str, int, ast.expr]]:
    sites = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name != "audit_record":
                continue
            for keyword in node.keywords:
                if keyword.arg == "action":
                    relative = path.relative_to(SOURCE.parent).as_posix()
                    sites.append((relative, node.lineno, keyword.value))
    return sites


def test_every_audit_call_site_passes_a_member_of_the_action_enum() -> None:
    sites = _call_sites()
    assert len(sites) > 100  # the walk found the services, not nothing
    wrong = [
        f"{path}:{line}: {ast.unparse(value)}"
        for path, line, value in sites
        if COMPUTED.get(path) != ast.unparse(value)
        and not all(_is_member(action) for action in _actions(value))
    ]
    assert wrong == []


def test_the_actions_once_written_as_bare_strings_are_members() -> None:
    assert AuditEvent.Action("roster.generate") is AuditEvent.Action.ROSTER_GENERATE
    assert AuditEvent.Action("notify") is AuditEvent.Action.NOTIFY
    assert AuditEvent.Action("anonymise") is AuditEvent.Action.ANONYMISE
    assert AuditEvent.Action("approve") is AuditEvent.Action.APPROVE
    assert AuditEvent.Action("reject") is AuditEvent.Action.REJECT
    field = AuditEvent._meta.get_field("action")
    assert field.max_length is not None
    assert all(len(member.value) <= field.max_length for member in AuditEvent.Action)


@pytest.mark.django_db
def test_an_action_outside_the_enum_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(ValueError, match="shred"):
        audit_record(actor=None, action="shred")
    assert not AuditEvent.objects.filter(action="shred").exists()
