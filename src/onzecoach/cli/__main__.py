"""``python -m onzecoach.cli``: the same as the ``onzecoach`` console script."""

from onzecoach.cli import main

main()
