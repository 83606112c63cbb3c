"""Turning result tables into plots and summaries."""
