"""Tools for tariff authors: test cases beside the tariffs, explaining an invoice, impact.

They sit above the rating pipeline and use only its front door
(:func:`tariff.engine.api.rate_month`) and its models.
"""
