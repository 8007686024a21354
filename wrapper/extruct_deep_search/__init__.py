"""Extruct Deep Search client."""
