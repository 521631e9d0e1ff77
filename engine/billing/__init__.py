"""Billing applications: invoice documents, the ledger, its users and the portal.

They take finished invoices (:mod:`tariff.engine.invoice.models`) and never
reach into rating internals.
"""
