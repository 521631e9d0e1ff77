"""The ledger's migrations, one module per revision, in order."""
