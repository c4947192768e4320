"""LivePerson's wire representation: JSON conventions, error envelopes, links, negotiation."""
