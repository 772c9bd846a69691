"""Adapters: the ports' implementations over real and in-memory parts."""
