"""Demo and benchmark data and tools, kept out of the application's runtime package:
``seed_demo`` (the demo accounts and, with ``--campaigns``, a bulk history), ``bench`` (times
the main pages) and ``loadtest`` (traffic against a running server)."""
