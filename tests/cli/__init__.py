"""The command line, run in-process against an SQLite file."""
