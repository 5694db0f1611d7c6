"""``python -m scalar_eos`` runs the command-line interface."""

from .cli import main

raise SystemExit(main())
