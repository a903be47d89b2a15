"""`python -m envcheck` runs the same CLI as the `tfcert-envcheck` script."""

from __future__ import annotations

from envcheck.cli import main

if __name__ == "__main__":
    main()
