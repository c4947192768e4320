"""A local, offline mock of LivePerson Conversational Cloud (live chat)."""
