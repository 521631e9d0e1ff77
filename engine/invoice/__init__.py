"""Invoices: the models the engine returns, built from rated totals and account terms.

``models`` holds the pydantic models that JSON carries, ``build`` turns an
account's totals and terms into its invoice lines, and ``provenance`` records
where each line's price was set.
"""
