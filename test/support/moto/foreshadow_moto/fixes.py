"""moto 5.2.1 bugs the deploy check runs into, worked around in this process only.

- `AWS::KMS::Key` (moto/kms/models.py, `Key.create_from_cloudformation_json`): the template's `KeyPolicy`
  object is stored as it is, where the KMS API stores the policy as a JSON string; every later
  `DescribeKey` then fails inside moto (`json.loads` of a dict, a 500 answer), so a deployed or retained
  key cannot be read back. The policy is serialised before moto's own code runs.
- An event source mapping on an enhanced fan-out consumer (moto/awslambda/models.py,
  `LambdaBackend.create_event_source_mapping`, lines 2137-2148): moto matches `EventSourceArn` against
  queues, table streams and Kinesis streams only, so a consumer ARN (what `stream.consumer: efo` maps) fails
  with "Invalid EventSourceArn". A consumer registered on one of moto's streams is attached to that stream
  the way moto attaches a stream's mapping (lines 2140-2146), keeping the consumer ARN as the mapping's
  `EventSourceArn`, as Lambda answers it.
"""

import json
from typing import Any

from moto.awslambda.models import EventSourceMapping, LambdaBackend
from moto.kinesis.models import kinesis_backends
from moto.kms.models import Key

_original_key_create = Key.create_from_cloudformation_json
_original_create_mapping = LambdaBackend.create_event_source_mapping


def _key_create(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> Any:
    properties = cloudformation_json.get("Properties", {})
    if isinstance(properties.get("KeyPolicy"), dict):
        properties = {**properties, "KeyPolicy": json.dumps(properties["KeyPolicy"])}
        cloudformation_json = {**cloudformation_json, "Properties": properties}
    return _original_key_create.__func__(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)  # type: ignore[attr-defined]


def _create_mapping(self: LambdaBackend, spec: dict[str, Any]) -> EventSourceMapping:
    source = spec.get("EventSourceArn") or ""
    streams = kinesis_backends[self.account_id][self.region_name].streams.values()
    stream = next((s for s in streams if s.get_consumer_by_arn(source) is not None), None)
    if stream is None or not spec.get("FunctionName"):
        return _original_create_mapping(self, spec)
    func = self._lambdas.get_function_by_name_or_arn_with_qualifier(spec["FunctionName"])
    esm = EventSourceMapping({**spec, "RegionName": self.region_name, "AccountId": self.account_id, "FunctionArn": func.function_arn})
    self._event_source_mappings[esm.uuid] = esm
    stream.lambda_event_source_mappings[esm.event_source_arn] = esm
    return esm


def install() -> None:
    Key.create_from_cloudformation_json = classmethod(_key_create)  # type: ignore[method-assign,assignment]
    LambdaBackend.create_event_source_mapping = _create_mapping  # type: ignore[method-assign]
