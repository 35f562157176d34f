"""The ``fusionbox`` command line: one module per subcommand (see ``main.COMMANDS``)."""
