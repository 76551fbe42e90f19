"""CloudFormation models moto 5.2.1 lacks, for the resource types the Foreshadow CDK app synthesizes.

Each model is a CloudFormationModel subclass (moto finds its models with `__subclasses__`, so defining the
class registers it), and creates, reads and deletes through moto's own service backend, so that the AWS
SDK then sees the resource as moto's API would have created it: an alarm through `put_metric_alarm`, an
asynchronous-invoke configuration through `put_function_event_invoke_config`, a topic or queue policy as
the topic's or queue's `Policy` attribute, an enhanced fan-out consumer through `register_stream_consumer`.
Updates are not modelled: the deploy check creates and deletes stacks only (`cdk deploy --method=direct` on
a new stack).
"""

import json
from typing import Any

from moto.awslambda.exceptions import UnknownFunctionException
from moto.awslambda.models import lambda_backends
from moto.cloudwatch.models import Dimension, Metric, MetricDataQuery, MetricStat, cloudwatch_backends
from moto.core.common_models import CloudFormationModel
from moto.kinesis.exceptions import StreamNotFoundError
from moto.kinesis.models import kinesis_backends
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends


class _Plumbing:
    """Common plumbing: no name property, created at once, deleted through `delete` (with resolved values).

    A mixin, not a base class: moto lists its models with `CloudFormationModel.__subclasses__()`, which
    holds direct subclasses only.
    """

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    def is_created(self) -> bool:
        return True


def _dimensions(raw: list[dict[str, str]] | None) -> list[Dimension]:
    return [Dimension(name=d["Name"], value=d["Value"]) for d in raw or []]


def _metric_query(raw: dict[str, Any]) -> MetricDataQuery:
    stat = raw.get("MetricStat")
    metric_stat = None
    if stat:
        m = stat["Metric"]
        metric_stat = MetricStat(
            metric=Metric(metric_name=m["MetricName"], namespace=m["Namespace"], dimensions=_dimensions(m.get("Dimensions"))),
            period=stat["Period"],
            stat=stat["Stat"],
            unit=stat.get("Unit"),
        )
    return MetricDataQuery(
        query_id=raw["Id"],
        label=raw.get("Label"),
        period=raw.get("Period"),
        return_data=raw.get("ReturnData", True),
        expression=raw.get("Expression"),
        metric_stat=metric_stat,
    )


class CloudWatchAlarm(_Plumbing, CloudFormationModel):
    """AWS::CloudWatch::Alarm: a single-metric or metric-math alarm; `Ref` is its name, `GetAtt Arn` its ARN."""

    def __init__(self, account_id: str, region_name: str, name: str, arn: str):
        self.account_id = account_id
        self.region_name = region_name
        self.name = name
        self.arn = arn

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudWatch::Alarm"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "AlarmName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "Arn":
            return self.arn
        raise KeyError(f"AWS::CloudWatch::Alarm has no attribute {attribute_name}")

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> "CloudWatchAlarm":  # type: ignore[misc]
        p = cloudformation_json["Properties"]
        metrics = p.get("Metrics")
        alarm = cloudwatch_backends[account_id][region_name].put_metric_alarm(
            name=resource_name,
            namespace=p.get("Namespace"),
            metric_name=p.get("MetricName"),
            comparison_operator=p["ComparisonOperator"],
            evaluation_periods=int(p["EvaluationPeriods"]),
            period=p.get("Period"),
            threshold=float(p["Threshold"]),
            statistic=p.get("Statistic"),
            description=p.get("AlarmDescription"),
            dimensions=p.get("Dimensions", []),
            alarm_actions=p.get("AlarmActions", []),
            metric_data_queries=[_metric_query(m) for m in metrics] if metrics else None,
            datapoints_to_alarm=p.get("DatapointsToAlarm"),
            extended_statistic=p.get("ExtendedStatistic"),
            ok_actions=p.get("OKActions", []),
            insufficient_data_actions=p.get("InsufficientDataActions", []),
            unit=p.get("Unit"),
            actions_enabled=p.get("ActionsEnabled", True) not in (False, "false"),
            treat_missing_data=p.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=p.get("EvaluateLowSampleCountPercentile"),
            threshold_metric_id=p.get("ThresholdMetricId"),
        )
        return cls(account_id, region_name, resource_name, alarm.alarm_arn)

    def delete(self, account_id: str, region_name: str) -> None:
        cloudwatch_backends[account_id][region_name].delete_alarms([self.name])


class LambdaEventInvokeConfig(_Plumbing, CloudFormationModel):
    """AWS::Lambda::EventInvokeConfig: retries, event age and destinations of asynchronous invocations."""

    def __init__(self, function_name: str):
        self.function_name = function_name

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Lambda::EventInvokeConfig"

    @property
    def physical_resource_id(self) -> str:
        return self.function_name

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> "LambdaEventInvokeConfig":  # type: ignore[misc]
        p = cloudformation_json["Properties"]
        config = {k: p[k] for k in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig") if k in p}
        lambda_backends[account_id][region_name].put_function_event_invoke_config(p["FunctionName"], config)
        return cls(p["FunctionName"])

    def delete(self, account_id: str, region_name: str) -> None:
        # moto deletes a stack's resources in no fixed order: the function may be gone first, taking its
        # configuration with it (as on AWS). Deleting must then succeed, or the stack's deletion fails.
        backend = lambda_backends[account_id][region_name]
        try:
            backend.get_function(self.function_name)
        except UnknownFunctionException:
            return
        backend.delete_function_event_invoke_config(self.function_name)


class SnsTopicPolicy(_Plumbing, CloudFormationModel):
    """AWS::SNS::TopicPolicy: the policy document becomes each topic's Policy attribute; deleting restores moto's default."""

    def __init__(self, topic_arns: list[str], defaults: dict[str, str]):
        self.topic_arns = topic_arns
        self.defaults = defaults

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SNS::TopicPolicy"

    @property
    def physical_resource_id(self) -> str:
        return ",".join(self.topic_arns)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> "SnsTopicPolicy":  # type: ignore[misc]
        p = cloudformation_json["Properties"]
        backend = sns_backends[account_id][region_name]
        defaults = {arn: backend.get_topic(arn).policy for arn in p["Topics"]}
        for arn in p["Topics"]:
            backend.set_topic_attribute(arn, "policy", json.dumps(p["PolicyDocument"]))
        return cls(list(p["Topics"]), defaults)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = sns_backends[account_id][region_name]
        for arn in self.topic_arns:
            if arn in backend.topics:
                backend.set_topic_attribute(arn, "policy", self.defaults[arn])


class SqsQueuePolicy(_Plumbing, CloudFormationModel):
    """AWS::SQS::QueuePolicy: the policy document becomes each queue's Policy attribute (queues given by URL)."""

    def __init__(self, queue_urls: list[str]):
        self.queue_urls = queue_urls

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SQS::QueuePolicy"

    @property
    def physical_resource_id(self) -> str:
        return ",".join(self.queue_urls)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> "SqsQueuePolicy":  # type: ignore[misc]
        p = cloudformation_json["Properties"]
        backend = sqs_backends[account_id][region_name]
        for url in p["Queues"]:
            backend.set_queue_attributes(_queue_name(url), {"Policy": json.dumps(p["PolicyDocument"])})
        return cls(list(p["Queues"]))

    def delete(self, account_id: str, region_name: str) -> None:
        backend = sqs_backends[account_id][region_name]
        for url in self.queue_urls:
            name = _queue_name(url)
            if name in backend.queues:
                backend.set_queue_attributes(name, {"Policy": None})


def _queue_name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


class SnsSubscription(_Plumbing, CloudFormationModel):
    """AWS::SNS::Subscription: subscribes through moto's SNS backend (an e-mail subscription stays unconfirmed, as on AWS)."""

    def __init__(self, arn: str):
        self.arn = arn

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SNS::Subscription"

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> "SnsSubscription":  # type: ignore[misc]
        p = cloudformation_json["Properties"]
        subscription = sns_backends[account_id][region_name].subscribe(p["TopicArn"], p["Endpoint"], p["Protocol"])
        return cls(subscription.arn)

    def delete(self, account_id: str, region_name: str) -> None:
        sns_backends[account_id][region_name].unsubscribe(self.arn)


class KinesisStreamConsumer(_Plumbing, CloudFormationModel):
    """AWS::Kinesis::StreamConsumer: an enhanced fan-out consumer; `Ref` is its ARN, as on AWS.

    Attributes are read back from moto's Kinesis backend (`describe_stream_consumer`), so a template sees
    what DescribeStreamConsumer answers.
    """

    ATTRIBUTES = {"ConsumerARN", "ConsumerName", "ConsumerStatus", "ConsumerCreationTimestamp", "StreamARN"}

    def __init__(self, account_id: str, region_name: str, arn: str):
        self.account_id = account_id
        self.region_name = region_name
        self.arn = arn

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Kinesis::StreamConsumer"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.ATTRIBUTES:
            raise KeyError(f"AWS::Kinesis::StreamConsumer has no attribute {attribute_name}")
        consumer = kinesis_backends[self.account_id][self.region_name].describe_stream_consumer(stream_arn="", consumer_name="", consumer_arn=self.arn)
        if attribute_name == "ConsumerCreationTimestamp":
            return consumer.created.isoformat()
        return consumer.to_json(include_stream_arn=True)[attribute_name]

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> "KinesisStreamConsumer":  # type: ignore[misc]
        p = cloudformation_json["Properties"]
        backend = kinesis_backends[account_id][region_name]
        # register_stream_consumer appends to the stream it finds by ARN, and fails with an AttributeError
        # on None when there is none (moto/kinesis/models.py, lines 939-945): say which stream instead.
        if not any(stream.arn == p["StreamARN"] for stream in backend.streams.values()):
            raise StreamNotFoundError(p["StreamARN"], account_id)
        consumer = backend.register_stream_consumer(stream_arn=p["StreamARN"], consumer_name=p["ConsumerName"])
        return cls(account_id, region_name, consumer.consumer_arn)

    def delete(self, account_id: str, region_name: str) -> None:
        # By ARN only: given a stream ARN, deregister_stream_consumer keeps the named consumer and drops
        # every other one (moto/kinesis/models.py, lines 967-971). By ARN it is a no-op once the stream is gone.
        kinesis_backends[account_id][region_name].deregister_stream_consumer(stream_arn="", consumer_name="", consumer_arn=self.arn)
