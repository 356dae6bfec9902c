"""Shared by all tests: pytest puts this folder on sys.path, so test modules can ``import servers``."""
