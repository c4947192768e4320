"""Model errors: each carries LivePerson's responseStatus, message and internalCode."""


class SandboxError(Exception):
    """Base of every error the model raises on purpose; the wire layer renders it."""

    response_status = "BAD_REQUEST"
    internal_code = 1

    def __init__(self, message: str, internal_code: int | None = None):
        super().__init__(message)
        self.message = message
        if internal_code is not None:
            self.internal_code = internal_code


class BadRequest(SandboxError):
    """The body, path or query is malformed or names something invalid."""

    response_status = "BAD_REQUEST"
    internal_code = 1


class Unauthorized(SandboxError):
    """Missing, wrong, expired or foreign credentials."""

    response_status = "UNAUTHORIZED"
    internal_code = 3


class Forbidden(SandboxError):
    """Authenticated, but this user may not touch that resource."""

    response_status = "FORBIDDEN"
    internal_code = 6


class NotFound(SandboxError):
    """No such account, agent session, chat or event."""

    response_status = "NOT_FOUND"
    internal_code = 7


class Conflict(SandboxError):
    """The resource is in a state that refuses the request (e.g. the chat has ended)."""

    response_status = "CONFLICT"
    internal_code = 8
