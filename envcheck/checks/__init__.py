"""Checks: plain functions that turn probe facts and the matrix into results."""
