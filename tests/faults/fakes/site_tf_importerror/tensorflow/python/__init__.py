"""The part of the broken install that is still there."""
