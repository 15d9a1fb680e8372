"""``python -m proofs``: print the claims table; exit 1 on any FAILED or NOT RUN claim."""
import sys

from .report import main

if __name__ == "__main__":
    sys.exit(main())
