"""Foreshadow's moto server: moto's own server, plus what the CDK app needs that moto's CloudFormation lacks.

Run as `python3 test/support/moto/server.py -H 127.0.0.1 -p PORT` (the arguments of
`python3 -m moto.server`). Before the server starts it:

- refuses any moto version but the one this was written against (MOTO_VERSION), with one line naming both:
  the extension reaches into moto's CloudFormation internals, which change between releases;
- registers CloudFormation models for AWS::CloudWatch::Alarm, AWS::Lambda::EventInvokeConfig,
  AWS::SNS::TopicPolicy, AWS::SQS::QueuePolicy, AWS::SNS::Subscription and AWS::Kinesis::StreamConsumer
  (foreshadow_moto/cfn_models.py), backed by moto's own service backends;
- applies template properties moto's own models read past (foreshadow_moto/cfn_properties.py: a stream's
  shard-level metrics, encryption and mode; a table's point-in-time recovery);
- emulates CDK's AwsCustomResource (Custom::AWS) for the SDK calls the app makes (foreshadow_moto/custom_resources.py):
  moto would invoke the provider Lambda, which needs Docker;
- exits when its standard input closes (the parent that started it is gone), so no server outlives a test run;
- works around moto bugs the check runs into (foreshadow_moto/fixes.py: a CloudFormation KMS key whose
  policy DescribeKey cannot read; an event source mapping on an enhanced fan-out consumer, which moto's
  Lambda refuses);
- makes moto's CloudFormation strict (foreshadow_moto/strict.py): a resource type without a model fails the stack instead of
  being skipped with a warning, and a failing resource is named (logical id and type) in the error, as
  CloudFormation's CREATE_FAILED event would name it.

Nothing in the installed moto package is edited: models are new subclasses, the rest wraps moto functions
at run time in this process only.
"""

import os
import sys
import threading

MOTO_VERSION = "5.2.1"


def exit_with_parent() -> None:
    """Exits when stdin closes, i.e. when the parent dies for any reason (even SIGKILL, where no hook runs)."""

    def watch() -> None:
        while sys.stdin.buffer.read(4096):
            pass
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main() -> None:
    try:
        import moto
    except ImportError:
        sys.stderr.write(f'foreshadow moto server: python3 has no moto (install: pip install "moto[server]=={MOTO_VERSION}")\n')
        sys.exit(3)
    if moto.__version__ != MOTO_VERSION:
        sys.stderr.write(f"foreshadow moto server: written against moto {MOTO_VERSION}, found {moto.__version__} (pip install \"moto[server]=={MOTO_VERSION}\")\n")
        sys.exit(3)
    from foreshadow_moto import cfn_models, cfn_properties, custom_resources, fixes, strict  # noqa: F401  (defining the models registers them)

    cfn_properties.install()
    custom_resources.install()
    fixes.install()
    strict.install()
    from moto.server import main as moto_main

    exit_with_parent()

    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
