"""Foreshadow's extension of moto 5.2.1 (see ../server.py): CloudFormation models and fixes the CDK app needs."""
