"""Running probes/ in the interpreter under test and reading back their JSON."""
