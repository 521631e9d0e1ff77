"""``python -m tariff.engine.cli`` runs the ``tariff`` command."""

from tariff.engine.cli import main

main()
