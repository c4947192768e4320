"""The operations of each LivePerson API, as Sandbox methods named after them (moto's backends).

One module per API; each class adds its operations to the Sandbox (model/sandbox.py), reads
through `self.query` and leaves what spans parts to `FollowUps` (model/followups.py)."""
