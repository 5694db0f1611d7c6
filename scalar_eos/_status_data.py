# ruff: noqa: E501
"""Proof verdicts recorded by the last full `scalar-eos prove` run (generated: do not edit)."""

PROOFS = {
    "d2-region": {
        "argued_steps": 0,
        "checked_steps": 8,
        "details": "factorisation and sign analysis by SymPy",
        "regions": [],
        "verdict": "PROVED",
    },
    "gd-step-squares": {
        "argued_steps": 0,
        "checked_steps": 5,
        "details": "exact symbolic identities (SymPy), every D",
        "regions": [],
        "verdict": "PROVED",
    },
    "gf-invariants": {
        "argued_steps": 0,
        "checked_steps": 6,
        "details": "exact symbolic identities (SymPy) for every depth D, cross-checked on the explicit D = 1..8",
        "regions": [],
        "verdict": "PROVED",
    },
    "gfs-characterisation": {
        "argued_steps": 3,
        "checked_steps": 10,
        "details": "monotone root by SymPy sign facts and limits for every D; signs by SymPy sign facts along the flow; saddle spectrum entrywise for every D and by characteristic polynomials for D = 2..6",
        "regions": [],
        "verdict": "PROVED",
    },
    "reductions": {
        "argued_steps": 1,
        "checked_steps": 4,
        "details": "equivariance identities by SymPy for every D",
        "regions": [],
        "verdict": "PROVED",
    },
    "sharpness-at-minimum": {
        "argued_steps": 1,
        "checked_steps": 11,
        "details": "rank-one Hessian and AM-GM by exact identities for every D (SymPy)",
        "regions": [],
        "verdict": "PROVED",
    },
    "step-decrease-order": {
        "argued_steps": 1,
        "checked_steps": 7,
        "details": "identities for every D by SymPy (symbolic sums); ordering and Chebyshev's sum inequality",
        "regions": [],
        "verdict": "PROVED",
    },
    "step-decrease-s-d3": {
        "argued_steps": 8,
        "checked_steps": 3,
        "details": "on |w_i|/|y|^(1/3) in [1/2, 2]^3 with pi/y < 2: 4298 boxes, margin 2.97e-05; [1/4, 4]^3 with pi/y < 31/16: 20254 boxes, margin 2.69e-06; [1/8, 8]^3 with pi/y < 15/8: 44861 boxes, margin 1.98e-05 (arb ball arithmetic, python-flint)",
        "regions": [],
        "verdict": "CERTIFIED",
    },
}
