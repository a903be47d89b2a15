"""One module per subcommand, each defining `command`; see envcheck.cli.COMMANDS."""
