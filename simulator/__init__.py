"""LivePerson live-chat clients: agent bots with pluggable brains, scripted customers, checks."""
