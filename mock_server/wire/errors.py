"""LivePerson's error envelope and the HTTP status of each kind of error."""
from .formats import error_time

# responseStatus names are JAX-RS's Response.Status names, as LivePerson's Java services send them.
STATUS = {"BAD_REQUEST": 400, "UNAUTHORIZED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404,
          "METHOD_NOT_ALLOWED": 405, "NOT_ACCEPTABLE": 406, "CONFLICT": 409, "PRECONDITION_FAILED": 412,
          "REQUEST_ENTITY_TOO_LARGE": 413, "REQUEST_URI_TOO_LONG": 414, "UNSUPPORTED_MEDIA_TYPE": 415,
          "REQUEST_HEADER_FIELDS_TOO_LARGE": 431, "TOO_MANY_REQUESTS": 429,
          "INTERNAL_SERVER_ERROR": 500, "NOT_IMPLEMENTED": 501, "BAD_GATEWAY": 502,
          "SERVICE_UNAVAILABLE": 503, "GATEWAY_TIMEOUT": 504}
NAMES = {code: name for name, code in STATUS.items()}


def envelope(message: str, internal_code: int, response_status: str, now: float) -> dict:
    """`{"error": {"time", "message", "internalCode", "responseStatus"}}` as the Login API shows."""
    return {"error": {"time": error_time(now), "message": message,
                      "internalCode": internal_code, "responseStatus": response_status}}


def status_of(response_status: str) -> int:
    """The HTTP status that goes with a responseStatus name."""
    return STATUS.get(response_status, 400)


def name_of(status: int) -> str:
    """The responseStatus name of an HTTP status (BAD_REQUEST, or INTERNAL_SERVER_ERROR for a
    5xx, when we do not name it)."""
    return NAMES.get(status, "INTERNAL_SERVER_ERROR" if status >= 500 else "BAD_REQUEST")
