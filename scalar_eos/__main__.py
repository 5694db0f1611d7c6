"""``python -m scalar_eos`` runs the command-line interface."""

from .cli import main

if __name__ == "__main__":  # importing the module (e.g. by documentation tools) runs nothing
    raise SystemExit(main())
