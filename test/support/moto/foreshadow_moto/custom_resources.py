"""CDK's AwsCustomResource (`Custom::AWS`) without its provider Lambda.

moto answers a custom resource by invoking its provider function, which needs Docker; without Docker the
resource never completes and the stack stays CREATE_IN_PROGRESS. Here the SDK call the resource describes
(its `Create` property: service, action, parameters, physicalResourceId) is made against moto's own backend
instead, for the calls listed in CALLS; any other call fails the stack naming the call, so a new custom
resource in the app is noticed rather than faked. No `Delete` call is made: the app defines none.
"""

import json
from typing import Any, Callable

from moto.cloudformation import custom_model
from moto.kinesis.models import kinesis_backends


def _enable_enhanced_monitoring(account_id: str, region_name: str, parameters: dict[str, Any]) -> dict[str, Any]:
    arn, name, current, desired = kinesis_backends[account_id][region_name].enable_enhanced_monitoring(
        stream_arn=parameters.get("StreamARN"), stream_name=parameters.get("StreamName"), shard_level_metrics=parameters["ShardLevelMetrics"]
    )
    return {"StreamARN": arn, "StreamName": name}


#: (service, action) → the backend call; returns the flattened response fields GetAtt may read.
CALLS: dict[tuple[str, str], Callable[[str, str, dict[str, Any]], dict[str, Any]]] = {
    ("Kinesis", "EnableEnhancedMonitoring"): _enable_enhanced_monitoring,
}

_original_create = custom_model.CustomModel.create_from_cloudformation_json


def _create(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> Any:
    if kwargs.get("ResourceType") != "Custom::AWS":
        return _original_create.__func__(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)  # type: ignore[attr-defined]
    call = json.loads(cloudformation_json["Properties"]["Create"])
    handler = CALLS.get((call["service"], call["action"]))
    if handler is None:
        raise NotImplementedError(f"Custom::AWS call {call['service']}.{call['action']} is not emulated (test/support/moto/foreshadow_moto/custom_resources.py CALLS)")
    data = handler(account_id, region_name, call.get("parameters", {}))
    physical_id = (call.get("physicalResourceId") or {}).get("id", resource_name)
    resource = custom_model.CustomModel(region_name, "emulated", kwargs["LogicalId"], physical_id)
    resource.set_data(data)
    return resource


def install() -> None:
    custom_model.CustomModel.create_from_cloudformation_json = classmethod(_create)  # type: ignore[method-assign,assignment]
