"""OpenAPI post-processing: document the one error shape every API error answers with.

`ccucaas_privacy.api.exception_handler` turns every DRF and domain error into the same problem
details body; this hook adds that body as the `4XX` response of every operation (without
touching responses an operation documents itself), so clients and schema fuzzers see the truth.
"""

from typing import Any

PROBLEM = {
    "type": "object",
    "description": "Problem details (RFC 9457 fields) of every API error.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "errors": {
            "description": "Only for field validation: messages by field (nested for lists).",
            "oneOf": [{"type": "object", "additionalProperties": True},
                      {"type": "array", "items": {}}],
        },
    },
    "required": ["type", "title", "status", "code", "detail"],
}


def document_problem_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    ref = {"$ref": "#/components/schemas/Problem"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method.startswith("x-") or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            if not any(code.startswith("4") for code in responses):
                responses["4XX"] = {
                    "content": {"application/json": {"schema": ref}},
                    "description": "Problem details: invalid input (400), not signed in "
                                   "(401), not allowed (403), not found (404), conflict (409), "
                                   "too many requests (429).",
                }
    return result
