"""`python -m app`: the curators' command line (seed, keys, import, export)."""

import sys

from app.corpus.cli import main

sys.exit(main())
