"""The simulator (client libraries, bot runner, brains, scripted customer, check, demo) against a sandbox."""
