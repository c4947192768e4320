"""What every command line of the simulator shares: one way to show defaults in --help."""
import argparse


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """`--help` shows each option's default as "(default: X)", unless its help already says
    it (a default worked out elsewhere) or there is none to show (a flag, no default)."""

    def _get_help_string(self, action):
        text = action.help or ""
        if ("(default" in text or not action.option_strings or action.default is None
                or action.default is False or action.default == argparse.SUPPRESS):
            return text
        if isinstance(action.default, float):
            return text + " (default: %(default)g)"  # 2, not 2.0
        return super()._get_help_string(action)
