"""Both vendored specs are valid OpenAPI 3.1 documents."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from .conftest import CLIENT_PATH, UPSTREAM_PATH, load_yaml


@pytest.mark.parametrize("path", [UPSTREAM_PATH, CLIENT_PATH], ids=lambda p: p.name)
def test_spec_is_valid_openapi_31(path: Path) -> None:
    spec = load_yaml(path)
    assert spec["openapi"].startswith("3.1."), spec["openapi"]
    # Explicit 3.1 validator: a 3.0 document would not be accepted silently.
    validate(spec, cls=OpenAPIV31SpecValidator)


@pytest.mark.parametrize("path", [UPSTREAM_PATH, CLIENT_PATH], ids=lambda p: p.name)
def test_validator_rejects_a_broken_copy(path: Path) -> None:
    """Guard against a validator that accepts anything: break the spec, expect failure."""
    spec = copy.deepcopy(load_yaml(path))
    # "body" parameters are OpenAPI 2 only.
    op = spec["paths"]["/v1/discovery_tasks/{task_id}"]["get"]
    op["parameters"][0]["in"] = "body"
    with pytest.raises(OpenAPIValidationError):
        validate(spec, cls=OpenAPIV31SpecValidator)


def test_validator_rejects_dangling_ref() -> None:
    spec = copy.deepcopy(load_yaml(UPSTREAM_PATH))
    props = spec["components"]["schemas"]["DiscoveryTaskOutput"]["properties"]
    props["status"] = {"$ref": "#/components/schemas/NoSuchSchema"}
    with pytest.raises(Exception, match="NoSuchSchema"):
        validate(spec, cls=OpenAPIV31SpecValidator)
