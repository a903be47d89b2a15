"""A site customisation that greets on stdout at every interpreter start (seen in the wild
in corporate and course images). Probes must still be understood."""

import sys

sys.stdout.write("Welcome to ACME Python! Support: https://intranet.example/python\n")
sys.stdout.flush()
