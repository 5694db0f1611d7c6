"""User claims from a Python file."""

from __future__ import annotations

import pytest

from scalar_eos import claims
from scalar_eos.claimsfile import load_claims_file
from scalar_eos.errors import InvalidArgument

GOOD = """
from scalar_eos.claims import Claim, register
register(Claim("file-psi-below-50", "psi < 50", lambda w, eta, y: True, lambda s: s.gfs_before < 50))
register(Claim("file-always", "always", lambda w, eta, y: True, lambda s: True))
"""


def test_loads_and_registers(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(GOOD)
    try:
        assert load_claims_file(path) == ["file-psi-below-50", "file-always"]
        assert claims.get("file-always").statement == "always"
    finally:
        for cid in ("file-psi-below-50", "file-always"):
            claims.unregister(cid)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (None, "not found"),
        ("def f(:\n", "syntax error at line 1"),
        ("raise RuntimeError('no\\nway')", "raised RuntimeError: no way"),
        ("x = 1\n", "registers no claim"),
        ("import sys\nsys.exit(3)\n", "exit"),
        ("from scalar_eos.claims import Claim, register\nregister(Claim('Bad Id', '', None, None))\n", "claim id"),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path, text, match):
    path = tmp_path / "bad.py"
    if text is not None:
        path.write_text(text)
    with pytest.raises(InvalidArgument, match=match) as info:
        load_claims_file(path)
    assert "\n" not in str(info.value)
