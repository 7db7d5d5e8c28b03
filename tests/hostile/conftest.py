"""Shared pieces of the hostile-input tests: hostile values, a count of every table's rows, and
a tally of the inputs tried (printed at the end of the run)."""

import sqlalchemy as sa
from hypothesis import strategies as st

from assembly.extensions import db

TRIED = {"forms": 0, "sockets": 0}


def tried(kind: str) -> None:
    TRIED[kind] += 1


def summary() -> str | None:
    """Printed at the end of the run by tests/conftest.py (this conftest is not loaded where
    parallel workers report back)."""
    total = sum(TRIED.values())
    if total:
        return (f"hostile inputs tried: {total} (forms and URLs {TRIED['forms']}, "
                f"socket events {TRIED['sockets']})")
    return None


def row_counts() -> dict[str, int]:
    """Rows in every table, read on a connection of its own (so nothing the test's session
    holds hides a write)."""
    tables = db.metadata.sorted_tables
    query = sa.select(*[sa.select(sa.func.count()).select_from(t).scalar_subquery().label(t.name)
                        for t in tables])
    with db.engine.connect() as conn:
        return dict(conn.execute(query).one()._mapping)


# --- hostile values --------------------------------------------------------------------------

# Strings that have broken web applications before: NUL, direction overrides, byte-order marks,
# markup, template syntax, path climbing, numbers that do not fit, lone CR/LF.
NASTY = ["\x00", "\u202e", "\ufeff", "\u200b", "\r\n", "\r", "'; DROP TABLE person; --",
         "<script>alert(1)</script>", "{{7*7}}", "%00", "../../etc/passwd", "-1", "0",
         "99999999999999999999999", "1e400", "NaN", "", " ", "\t", "😀", "\uffff", "\U0010ffff",
         "2026-02-30", "9999-12-31", "0000-00-00", "true", "null", "[]", "{}", "ع", "ﷺ"]
CONTROL = st.characters(max_codepoint=0x1F)
# Text as a browser could send it (no lone surrogates: those cannot be encoded in a request).
text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=CONTROL, max_size=20),
    st.lists(st.sampled_from(NASTY), max_size=6).map("".join),
    st.integers().map(str),
    st.builds(lambda c, n: c * n, st.sampled_from("aé\x00😀<"), st.integers(200, 20_000)),
)
# Any JSON a Socket.IO client can send, lone surrogates included (JSON carries them as \ud800).
json_text = st.one_of(text, st.text(alphabet=st.characters(codec=None), max_size=20),
                      st.sampled_from(["\ud800", "a\udfffb", "\x00"]))
json_scalar = st.one_of(st.none(), st.booleans(), json_text,
                        st.integers(min_value=-(2**70), max_value=2**70),
                        st.floats(allow_nan=False, allow_infinity=False))
json_value = st.recursive(json_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(json_text, inner, max_size=4)), max_leaves=12)


def nested(depth: int):
    value: object = "deep"
    for level in range(depth):
        value = [value] if level % 2 else {"x": value}
    return value


deep_json = st.integers(50, 400).map(nested)
hostile_id = st.one_of(st.integers(min_value=-(2**70), max_value=2**70),
                       st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64]))
