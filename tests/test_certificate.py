"""Certificate files of step-decrease-s are re-verified independently, and tampered copies fail."""

from __future__ import annotations

import json
import sys
from fractions import Fraction

import pytest

from scalar_eos.certificate import CertificateReport, verify_certificate
from scalar_eos.errors import InvalidArgument
from scalar_eos.prove import proofs_dir


@pytest.fixture(scope="module")
def small_certificate(tmp_path_factory):
    """A depth-3 certificate on [1, 5/4]^3 with pi < 2 (reaches pi -> 2 and balanced weights; a few seconds)."""
    pytest.importorskip("flint")
    sys.path.insert(0, str(proofs_dir()))
    import _certify_run

    path = tmp_path_factory.mktemp("cert") / "small.jsonl"
    (res,) = _certify_run.certify_regions(
        3, ((Fraction(1), Fraction(5, 4), Fraction(2)),), proof="test", certificate=path
    )
    assert res["certified"] > 20 and res["outside"] > 5
    return path


def _lines(path):
    return path.read_text().splitlines()


def _write(tmp_path, lines, name="tampered.jsonl"):
    out = tmp_path / name
    out.write_text("\n".join(lines) + "\n")
    return out


def test_small_certificate_is_valid_in_both_arithmetics(small_certificate):
    for arithmetic in ("mpmath", "float"):
        report = verify_certificate(small_certificate, arithmetic=arithmetic)
        assert isinstance(report, CertificateReport)
        assert report.valid, report.first_failure
        lines = _lines(small_certificate)
        assert report.boxes == len(lines) - 1 == json.loads(lines[0])["boxes"]
        assert report.counts["certified"] + report.counts["outside"] == report.boxes
    doc = report.as_dict()
    assert set(doc) == {"valid", "boxes", "region", "first_failure"}
    assert doc["region"][0]["high"] == "1.25" and doc["first_failure"] is None
    json.dumps(doc)


def test_header_states_claim_depth_and_region(small_certificate):
    head = json.loads(_lines(small_certificate)[0])
    assert head["format"] == "scalar-eos-certificate/1" and head["claim"] == "step-decrease-s" and head["depth"] == 3
    (reg,) = head["regions"]
    assert (reg["low"], reg["high"], reg["ratio_max"], reg["eta_psi_max_sq"]) == ("1", "1.25", "2", "8")
    assert "y = 1" in head["normalisation"] and "every" in head["rule"]
    rec = json.loads(_lines(small_certificate)[1])
    assert set(rec) >= {"region", "path", "box", "verdict"}


def _first_index(lines, verdict, with_edges=None):
    for n, line in enumerate(lines[1:], start=1):
        rec = json.loads(line)
        if rec["verdict"] == verdict and (with_edges is None or bool(rec.get("edges")) == with_edges):
            return n, rec
    raise AssertionError("no such box")


def test_deleted_box_fails(small_certificate, tmp_path):
    lines = _lines(small_certificate)
    n, _ = _first_index(lines, "certified")
    gone = lines[:n] + lines[n + 1 :]
    report = verify_certificate(_write(tmp_path, gone), arithmetic="float")
    assert not report.valid and "boxes" in report.first_failure["reason"]
    head = json.loads(gone[0])
    head["boxes"] -= 1  # a consistent count: the gap itself is found
    report = verify_certificate(_write(tmp_path, [json.dumps(head), *gone[1:]]), arithmetic="float")
    assert not report.valid and "gap" in report.first_failure["reason"]


def test_changed_region_fails(small_certificate, tmp_path):
    lines = _lines(small_certificate)
    for key, value, reason in (
        ("high", "1.5", "root box"),
        ("ratio_max", "2.5", "ratio_max"),
        ("eta_psi_max_sq", "32", "eta_psi_max_sq"),
    ):
        head = json.loads(lines[0])
        head["regions"][0][key] = value
        if key == "high":
            head["regions"][0]["root"] = [["1", "1.5"]] * 3
        report = verify_certificate(_write(tmp_path, [json.dumps(head), *lines[1:]]), arithmetic="float")
        assert not report.valid, key
        assert reason in report.first_failure["reason"] or "geometry" in report.first_failure["reason"], key


def test_edited_box_fails(small_certificate, tmp_path):
    lines = _lines(small_certificate)
    n, rec = _first_index(lines, "certified")
    rec["box"][0][1] = str(Fraction(rec["box"][0][1]) + Fraction(1, 1024))
    lines[n] = json.dumps(rec)
    report = verify_certificate(_write(tmp_path, lines), arithmetic="float")
    assert not report.valid and report.first_failure["line"] == n + 1
    assert "geometry" in report.first_failure["reason"]


def test_flipped_verdict_and_coarsened_pieces_fail(small_certificate, tmp_path):
    lines = _lines(small_certificate)
    n, rec = _first_index(lines, "certified")
    rec["verdict"] = "outside"
    report = verify_certificate(_write(tmp_path, [*lines[:n], json.dumps(rec), *lines[n + 1 :]]), arithmetic="float")
    assert not report.valid and "outside" in report.first_failure["reason"]
    n, rec = _first_index(lines, "certified", with_edges=True)
    rec["edges"] = [rec["edges"][0], rec["edges"][-1]]  # one b-piece: the bounds are too coarse
    report = verify_certificate(_write(tmp_path, [*lines[:n], json.dumps(rec), *lines[n + 1 :]]), arithmetic="float")
    assert not report.valid and report.first_failure["line"] == n + 1


def test_malformed_files_are_invalid_arguments(small_certificate, tmp_path):
    with pytest.raises(InvalidArgument, match="cannot read"):
        verify_certificate(tmp_path / "missing.jsonl")
    with pytest.raises(InvalidArgument, match="not JSON"):
        verify_certificate(_write(tmp_path, ["{not json"]))
    with pytest.raises(InvalidArgument, match="not a scalar-eos-certificate/1 file"):
        verify_certificate(_write(tmp_path, [json.dumps({"format": "other"})]))
    lines = _lines(small_certificate)
    with pytest.raises(InvalidArgument, match="line 2 is not a box record"):
        verify_certificate(_write(tmp_path, [lines[0], json.dumps({"region": 0})]))
    with pytest.raises(InvalidArgument, match="arithmetic"):
        verify_certificate(small_certificate, arithmetic="arb")


def test_gzip_certificate_is_read(small_certificate, tmp_path):
    import gzip

    packed = tmp_path / "small.jsonl.gz"
    packed.write_bytes(gzip.compress(small_certificate.read_bytes()))
    assert verify_certificate(packed, arithmetic="float").valid


def _cli(capsys, *argv):
    from scalar_eos.cli import main

    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_verify_certificate_exit_codes(small_certificate, tmp_path, capsys):
    code, out, _ = _cli(capsys, "verify-certificate", str(small_certificate), "--json", "--arithmetic", "float")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"valid", "boxes", "region", "first_failure"} and doc["valid"] is True
    code, out, _ = _cli(capsys, "verify-certificate", str(small_certificate), "--arithmetic", "float", "--quiet")
    assert code == 0 and out.startswith("VALID: ")
    lines = _lines(small_certificate)
    gone = _write(tmp_path, lines[:3] + lines[4:])
    code, out, _ = _cli(capsys, "verify-certificate", str(gone), "--json", "--arithmetic", "float")
    assert code == 1 and json.loads(out)["valid"] is False and json.loads(out)["first_failure"]["reason"]
    code, _, err = _cli(capsys, "verify-certificate", str(_write(tmp_path, ["garbage"])))
    assert code == 2 and err.startswith("scalar-eos: error: certificate")


def test_cli_prove_certificate_needs_one_certifying_proof(tmp_path, capsys):
    code, _, err = _cli(capsys, "prove", "d2-region", "--certificate", str(tmp_path / "x.jsonl"))
    assert code == 2 and "writes no certificate" in err
    code, _, err = _cli(capsys, "prove", "d2-region", "gf-invariants", "--certificate", str(tmp_path / "x.jsonl"))
    assert code == 2 and "exactly one proof" in err
    assert not (tmp_path / "x.jsonl").exists()
