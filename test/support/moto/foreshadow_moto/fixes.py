"""moto 5.2.1 bugs the deploy check runs into, worked around in this process only.

- `AWS::KMS::Key` (moto/kms/models.py, `Key.create_from_cloudformation_json`): the template's `KeyPolicy`
  object is stored as it is, where the KMS API stores the policy as a JSON string; every later
  `DescribeKey` then fails inside moto (`json.loads` of a dict, a 500 answer), so a deployed or retained
  key cannot be read back. The policy is serialised before moto's own code runs.
"""

import json
from typing import Any

from moto.kms.models import Key

_original_key_create = Key.create_from_cloudformation_json


def _key_create(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> Any:
    properties = cloudformation_json.get("Properties", {})
    if isinstance(properties.get("KeyPolicy"), dict):
        properties = {**properties, "KeyPolicy": json.dumps(properties["KeyPolicy"])}
        cloudformation_json = {**cloudformation_json, "Properties": properties}
    return _original_key_create.__func__(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)  # type: ignore[attr-defined]


def install() -> None:
    Key.create_from_cloudformation_json = classmethod(_key_create)  # type: ignore[method-assign,assignment]
