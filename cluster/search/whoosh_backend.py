"""Whoosh engine (to be written)."""


class WhooshBackend:
    def __init__(self, index_dir: str):
        self.index_dir = index_dir
