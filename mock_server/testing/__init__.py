"""Test a bot against the sandbox with pytest: the `cc_sandbox` fixture (plugin.py, entry point
pytest11) and the objects it hands out. Importing this package stays cheap (the plugin is loaded
by every pytest run where the package is installed): the rest loads on first use."""

DEFAULT_SEED = 1234  # the fixture's seed: ids and tokens repeat from run to run

_LAZY = {"CCSandbox": "sandbox", "WaitTimeout": "control", "ControlError": "control",
         "Line": "lines", "Customer": "customer", "HumanAgent": "agent", "HumanChat": "agent"}

__all__ = ["DEFAULT_SEED", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module
        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
