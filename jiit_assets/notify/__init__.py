"""Rendering notices for each channel and delivering them with rate limits and a ledger."""
