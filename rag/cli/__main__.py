"""``python -m rag.cli ARGS`` is ``rag ARGS``."""

from rag.cli import main

main()
