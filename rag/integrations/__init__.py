"""Adapters that let other frameworks use a collection (and feed it): ``rag.integrations.llamaindex``.

Each adapter imports its framework lazily, inside its own module, so ``import rag`` never pays for it.
"""
