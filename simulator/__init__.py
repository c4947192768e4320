"""Simulated LivePerson clients: an agent bot (Chat Agent API) and a customer (Server Chat API)."""
