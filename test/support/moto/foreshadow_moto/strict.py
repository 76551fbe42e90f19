"""Makes moto's CloudFormation fail where AWS would, and say which resource failed.

moto 5.2.1 skips a resource type it has no model for (a warning in its log, the stack still completes), so
a deploy check could pass with resources missing. That stays so for CDK's bootstrap stack (CDKToolkit: its
bucket policy, among others, has no model and is not what the check is about), and becomes an error for
every other stack. And an error while creating a resource reaches the
client as the backend's bare message (e.g. "Function not found"), where CloudFormation would report the
resource's logical id and type in a CREATE_FAILED event. Both are wrapped here.
"""

from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError

#: The stack `cdk bootstrap` deploys; moto's lenience is left as it is there.
BOOTSTRAP_STACK = "CDKToolkit"

_original_create = parsing.parse_and_create_resource


def _has_model(resource_type: str) -> bool:
    return resource_type in parsing.NULL_MODELS or resource_type.startswith("Custom::") or resource_type in parsing.get_model_map()


def _create(logical_id: str, resource_json: dict[str, Any], resources_map: Any, account_id: str, region_name: str) -> Any:
    resource_type = resource_json.get("Type", "")
    if not _has_model(resource_type) and resources_map["AWS::StackName"] != BOOTSTRAP_STACK:
        raise ValidationError(None, message=f"Resource {logical_id} ({resource_type}) failed to create: moto has no CloudFormation model for {resource_type} (add one in test/support/moto/foreshadow_moto/cfn_models.py)")
    try:
        return _original_create(logical_id, resource_json, resources_map, account_id, region_name)
    except Exception as error:  # noqa: BLE001  (any backend error becomes the named failure)
        message = getattr(error, "message", None) or str(error) or type(error).__name__
        if isinstance(error, ValidationError) and message.startswith("Resource "):
            raise  # a resource this one references failed first, and is already named
        raise ValidationError(None, message=f"Resource {logical_id} ({resource_type}) failed to create: {message}") from error


def install() -> None:
    parsing.parse_and_create_resource = _create
