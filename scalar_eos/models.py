"""Deprecated: moved to :mod:`scalar_eos.generic`; old names work for one release."""

from __future__ import annotations

from ._deprecate import moved_names

__getattr__ = moved_names("scalar_eos.models", "scalar_eos.generic", "scalar_eos.generic.examples")
