"""Not a Python at all: a wrapper that prints a banner and some HTML, whatever it is asked."""

import sys

sys.stdout.write("Welcome to ACME tools v2\n<html><body>Service unavailable</body></html>\n")
