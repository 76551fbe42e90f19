"""Template properties moto 5.2.1's own CloudFormation models read past, applied through moto's own backends.

Without them the deploy check could not see whether the template asks for these settings at all:

- AWS::Kinesis::Stream (moto/kinesis/models.py, `Stream.create_from_cloudformation_json` reads ShardCount,
  RetentionPeriodHours and Tags only): `DesiredShardLevelMetrics` → `enable_enhanced_monitoring`,
  `StreamEncryption` → `start_stream_encryption`, `StreamModeDetails` → `update_stream_mode`.
- AWS::DynamoDB::Table (moto/dynamodb/models/table.py, `Table.create_from_cloudformation_json`):
  `PointInTimeRecoverySpecification` → `update_continuous_backups`, `TimeToLiveSpecification` →
  `update_time_to_live`; and `SSESpecification.SSEEnabled` is
  passed on as the API's `Enabled`, the only key moto's DescribeTable looks at (`Table.describe`), so that an
  encrypted table reads back as encrypted.

Each wrapper lets moto create the resource as it does, then makes the same calls the service API would
take for these properties.
"""

from typing import Any

from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table
from moto.kinesis.models import Stream, kinesis_backends

_original_stream_create = Stream.create_from_cloudformation_json
_original_table_create = Table.create_from_cloudformation_json


def _stream_create(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> Any:
    stream = _original_stream_create.__func__(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)  # type: ignore[attr-defined]
    properties = cloudformation_json.get("Properties", {})
    backend = kinesis_backends[account_id][region_name]
    metrics = properties.get("DesiredShardLevelMetrics")
    if metrics:
        backend.enable_enhanced_monitoring(stream_arn=stream.arn, stream_name=None, shard_level_metrics=metrics)
    encryption = properties.get("StreamEncryption")
    if encryption:
        backend.start_stream_encryption(stream.arn, None, encryption["EncryptionType"], encryption["KeyId"])
    mode = properties.get("StreamModeDetails")
    if mode:
        backend.update_stream_mode(stream.arn, mode)
    return stream


def _table_create(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> Any:
    sse = cloudformation_json.get("Properties", {}).get("SSESpecification")
    if sse and "SSEEnabled" in sse:
        api_sse = {"Enabled": sse["SSEEnabled"] in (True, "true"), **{k: v for k, v in sse.items() if k != "SSEEnabled"}}
        cloudformation_json = {**cloudformation_json, "Properties": {**cloudformation_json["Properties"], "SSESpecification": api_sse}}
    table = _original_table_create.__func__(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)  # type: ignore[attr-defined]
    properties = cloudformation_json.get("Properties", {})
    backend = dynamodb_backends[account_id][region_name]
    pitr = properties.get("PointInTimeRecoverySpecification")
    if pitr and pitr.get("PointInTimeRecoveryEnabled") in (True, "true"):
        backend.update_continuous_backups(table.name, {"PointInTimeRecoveryEnabled": True})
    ttl = properties.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled") in (True, "true"):
        backend.update_time_to_live(table.name, {"AttributeName": ttl["AttributeName"], "Enabled": True})
    return table


def install() -> None:
    Stream.create_from_cloudformation_json = classmethod(_stream_create)  # type: ignore[method-assign,assignment]
    Table.create_from_cloudformation_json = classmethod(_table_create)  # type: ignore[method-assign,assignment]
